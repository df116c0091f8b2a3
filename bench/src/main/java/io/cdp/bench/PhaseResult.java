package io.cdp.bench;

import java.util.Map;

/**
 * One measurement of a phase: a row of the table and an entry of results.json.
 *
 * @param load the offered load, in words ({@code "64 connections, 100 events per request"})
 * @param concurrency clients (connections, producers) offering it
 * @param warmupSeconds load offered before measuring
 * @param measuredSeconds the length of the measured window (after warm-up)
 * @param events events acknowledged (or requests answered) inside the window
 * @param details the measurement's own figures (latency percentiles, CPU, ...), in order
 * @param headline figures that also go to the top of results.json under these names ({@code
 *     profile_lookup_p99_ms}), for comparing runs at a glance
 */
record PhaseResult(
    String name,
    String load,
    int concurrency,
    double warmupSeconds,
    double measuredSeconds,
    long events,
    Map<String, Object> details,
    Map<String, Object> headline) {

  double eventsPerSecond() {
    return events / measuredSeconds;
  }
}
