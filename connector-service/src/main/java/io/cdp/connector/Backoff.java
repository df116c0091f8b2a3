package io.cdp.connector;

import java.time.Duration;

/** Exponential backoff between delivery attempts: base, 2 x base, 4 x base... */
public record Backoff(Duration base) {

  /** How long to wait after failed attempt number {@code attempt} (1-based). */
  public Duration after(int attempt) {
    return base.multipliedBy(1L << Math.min(attempt - 1, 20));
  }
}
