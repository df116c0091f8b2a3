package io.cdp.profile.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Visits: {@code cdp.visit.timeout} of inactivity ends a visit (API.md). */
@ConfigMapping(prefix = "cdp.visit")
public interface VisitConfig {

  /** Inactivity after which the next event starts a new visit. */
  @WithDefault("30M")
  Duration timeout();
}
