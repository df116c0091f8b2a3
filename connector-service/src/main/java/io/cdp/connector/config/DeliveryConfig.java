package io.cdp.connector.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** How webhook deliveries are attempted ({@code cdp.connector.delivery.*}). */
@ConfigMapping(prefix = "cdp.connector.delivery")
public interface DeliveryConfig {

  /** Per attempt: a receiver that has not answered by then counts as a failed attempt. */
  @WithDefault("5s")
  Duration timeout();

  /** Attempts per delivery before it is marked failed; bounded so one record cannot stall. */
  @WithDefault("3")
  int maxAttempts();

  /** The wait after the first failed attempt; doubled after each further one. */
  @WithDefault("200ms")
  Duration backoff();
}
