package io.cdp.connector;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with jitter between delivery attempts. The ceiling doubles after each failed
 * attempt (base, 2 x base, 4 x base...) and the wait is drawn between half the ceiling and the
 * ceiling ("equal jitter"), so deliveries that failed together do not retry in lockstep.
 */
public record Backoff(Duration base) {

  /** The upper bound of the wait after failed attempt number {@code attempt} (1-based). */
  public Duration ceiling(int attempt) {
    return base.multipliedBy(1L << Math.min(attempt - 1, 20));
  }

  /** How long to wait after failed attempt number {@code attempt} (1-based). */
  public Duration after(int attempt) {
    long ceiling = ceiling(attempt).toMillis();
    return Duration.ofMillis(ceiling / 2 + ThreadLocalRandom.current().nextLong(ceiling / 2 + 1));
  }
}
