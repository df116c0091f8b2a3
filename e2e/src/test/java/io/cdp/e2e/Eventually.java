package io.cdp.e2e;

import java.time.Duration;
import java.time.Instant;
import java.util.function.Predicate;
import java.util.function.Supplier;

/** Polling for asynchronous results: the pipeline is a chain of Kafka consumers. */
final class Eventually {

  /** Long enough for a slow, shared 2-core machine; a healthy suite answers in well under 1 s. */
  static final Duration PATIENCE = Duration.ofSeconds(60);

  /**
   * Reads {@code probe} until {@code done} accepts what it read and returns that; fails with the
   * last reading after {@link #PATIENCE}.
   */
  static <T> T await(String what, Supplier<T> probe, Predicate<T> done) {
    return await(what, PATIENCE, Duration.ofMillis(100), probe, done);
  }

  static <T> T await(
      String what, Duration timeout, Duration interval, Supplier<T> probe, Predicate<T> done) {
    Instant deadline = Instant.now().plus(timeout);
    while (true) {
      T last = probe.get();
      if (done.test(last)) {
        return last;
      }
      if (Instant.now().isAfter(deadline)) {
        throw new AssertionError(
            "Waited " + timeout.toSeconds() + " s for " + what + "; last seen: " + last);
      }
      try {
        Thread.sleep(interval.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("Interrupted while waiting for " + what, e);
      }
    }
  }

  private Eventually() {}
}
