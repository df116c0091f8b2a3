package io.cdp.bench;

import java.util.Map;

/**
 * What one phase measured.
 *
 * @param load the offered load, in words ({@code "64 connections, 100 events per request"})
 * @param concurrency clients (connections, producers) offering it
 * @param measuredSeconds the length of the measured window (after warm-up)
 * @param events events acknowledged inside the window
 * @param details the phase's own figures (request rate, latency percentiles, ...), in order
 */
record PhaseResult(
    String name,
    String load,
    int concurrency,
    double warmupSeconds,
    double measuredSeconds,
    long events,
    Map<String, Object> details) {

  double eventsPerSecond() {
    return events / measuredSeconds;
  }
}
