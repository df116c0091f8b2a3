package io.cdp.connector.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** How deliveries are attempted and dispatched ({@code cdp.connector.delivery.*}). */
@ConfigMapping(prefix = "cdp.connector.delivery")
public interface DeliveryConfig {

  /** Per attempt: a receiver (or a lookup) that has not answered by then counts as a failure. */
  @WithDefault("5s")
  Duration timeout();

  /** Attempts per delivery before it is dead-lettered. */
  @WithDefault("3")
  int maxAttempts();

  /** The ceiling of the wait after the first failed attempt; doubled after each further one. */
  @WithDefault("200ms")
  Duration backoff();

  /** Deliveries of one connector in flight at once: a hanging destination holds only these. */
  @WithDefault("128")
  int concurrency();

  /**
   * Deliveries of one connector waiting in memory; beyond that they wait in PostgreSQL (still
   * {@code pending}) until the sweep picks them up.
   */
  @WithDefault("20000")
  int queueCapacity();

  /** How often pending deliveries nobody is working on are looked for (after a crash, overflow). */
  @WithDefault("10s")
  Duration sweepEvery();

  /** A pending delivery untouched for this long is considered abandoned and dispatched again. */
  @WithDefault("60s")
  Duration staleAfter();

  /** HTTP connections per destination host, so connectors sharing a host do not queue. */
  @WithDefault("64")
  int connectionsPerHost();

  /** Consecutive failed calls to a destination that open its circuit (no calls for a while). */
  @WithDefault("5")
  int circuitFailures();

  /** How long an open circuit makes no call before one probe may go. */
  @WithDefault("30s")
  Duration circuitCoolDown();

  /**
   * How often the connector definitions are read again from PostgreSQL, so a change made through
   * another instance is seen here (a change made here is seen at once).
   */
  @WithDefault("2s")
  Duration catalogRefresh();
}
