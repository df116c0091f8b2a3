package io.cdp.consent.config;

import io.smallrye.config.ConfigMapping;
import java.time.Duration;
import java.util.Set;

/**
 * {@code cdp.privacy.*}: who must answer an erasure and how long to wait (application.properties).
 */
@ConfigMapping(prefix = "cdp.privacy")
public interface PrivacyConfig {

  /**
   * Every service that holds personal data: an erasure completes when all of them have answered.
   */
  Set<String> services();

  /** A pending request is published again after this long without completing. */
  Duration resendAfter();

  /** A request still pending after this long has failed. */
  Duration deadline();

  /** How often pending requests are looked at (resent or failed). */
  Duration sweepInterval();
}
