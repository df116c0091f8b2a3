package io.cdp.profile.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/**
 * Visits: {@code cdp.visit.timeout} of inactivity ends a visit (API.md); the visit scan finds such
 * visits every {@code cdp.visit.scan-interval}, so a visit ends even if no further event arrives.
 */
@ConfigMapping(prefix = "cdp.visit")
public interface VisitConfig {

  /** Inactivity after which the next event starts a new visit. */
  @WithDefault("30M")
  Duration timeout();

  /** How often idle visits are looked for; a visit ends at most this long after its timeout. */
  @WithDefault("15s")
  Duration scanInterval();

  /** The most visits one scan ends; the rest wait for the next scan. */
  @WithDefault("1000")
  int scanBatch();
}
