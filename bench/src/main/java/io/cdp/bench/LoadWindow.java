package io.cdp.bench;

import java.time.Duration;

/**
 * The timeline of a load phase: a warm-up (the JIT compiles, caches fill, the broker's segments
 * open), then the measured window. Work that completes inside the window counts; the rate is that
 * count over the window's length.
 */
record LoadWindow(long measureFromNanos, long endNanos) {

  static LoadWindow startingNow(Duration warmup, Duration measured) {
    long measureFrom = System.nanoTime() + warmup.toNanos();
    return new LoadWindow(measureFrom, measureFrom + measured.toNanos());
  }

  /** True until the window ends: keep offering load. */
  boolean running(long nanos) {
    return nanos < endNanos;
  }

  /** True inside the measured window. */
  boolean measuring(long nanos) {
    return nanos >= measureFromNanos && nanos < endNanos;
  }

  double measuredSeconds() {
    return (endNanos - measureFromNanos) / 1e9;
  }
}
