package io.cdp.bench;

/**
 * The machine's own share of a latency: a thread that asks to wake every millisecond during a
 * load's measured window and records how late it woke. It does no work, so its lateness is what any
 * thread on this machine waits for a core (and for this JVM's pauses) under the same load. A
 * request that crosses several threads (client, server, client again) waits that way at each, so a
 * service's tail cannot be told apart from this figure's multiple.
 */
final class WakeupLateness implements AutoCloseable {

  private static final long PERIOD_NANOS = 1_000_000;

  private final LatencyHistogram lateness = new LatencyHistogram();
  private final Thread thread;

  private WakeupLateness(LoadWindow window) {
    thread =
        new Thread(
            () -> {
              for (long due = window.measureFromNanos();
                  window.running(due) && !Thread.currentThread().isInterrupted();
                  due += PERIOD_NANOS) {
                RateSchedule.awaitNanos(due);
                if (window.measuring(due)) {
                  lateness.recordNanos(System.nanoTime() - due);
                }
              }
            },
            "wakeup-lateness");
    thread.setDaemon(true);
  }

  /** Starts waking every millisecond of {@code window}'s measured part. */
  static WakeupLateness during(LoadWindow window) {
    WakeupLateness probe = new WakeupLateness(window);
    probe.thread.start();
    return probe;
  }

  /** The lateness so far: {@code samples}, {@code p50_ms} ... {@code max_ms}. */
  LatencyHistogram result() {
    return lateness;
  }

  @Override
  public void close() {
    thread.interrupt();
  }
}
