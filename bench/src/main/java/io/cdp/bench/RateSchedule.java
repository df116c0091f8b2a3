package io.cdp.bench;

import java.util.concurrent.locks.LockSupport;

/**
 * An open-loop schedule: request number {@code n} is due at {@code start + n / rate}, whether or
 * not earlier requests were answered. Latency is measured from the due time, not from when a busy
 * client finally sent the request, so a server that stalls is charged for every request it made
 * wait (no coordinated omission).
 *
 * @param startNanos when request 0 is due ({@link System#nanoTime()})
 * @param intervalNanos the time between two requests: one second over the rate
 */
record RateSchedule(long startNanos, double intervalNanos) {

  /** {@code perSecond} requests a second, the first due at {@code startNanos}. */
  static RateSchedule perSecond(double perSecond, long startNanos) {
    if (perSecond <= 0) {
      throw new IllegalArgumentException("A rate is positive: " + perSecond);
    }
    return new RateSchedule(startNanos, 1e9 / perSecond);
  }

  /** When request number {@code sequence} is due. */
  long dueNanos(long sequence) {
    return startNanos + Math.round(sequence * intervalNanos);
  }

  /** Waits until {@code nanos}; returns at once when it has passed (a late request goes now). */
  static void awaitNanos(long nanos) {
    for (long left = nanos - System.nanoTime(); left > 0; left = nanos - System.nanoTime()) {
      LockSupport.parkNanos(left);
    }
  }
}
