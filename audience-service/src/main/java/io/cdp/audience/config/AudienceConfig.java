package io.cdp.audience.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/**
 * Settings of re-evaluation without profile changes (time passing, backfills), and where the
 * attribute definitions that rules are checked against come from.
 */
@ConfigMapping(prefix = "cdp.audience")
public interface AudienceConfig {

  /**
   * How often profiles due for a re-evaluation are looked for; also how often profiles are
   * re-evaluated for a time-dependent rule whose next change cannot be derived ({@link
   * io.cdp.audience.AudienceRules#nextTimeChange}).
   */
  @WithDefault("1m")
  Duration timeScanInterval();

  /** How many due profiles one step of the time scan reads. */
  @WithDefault("500")
  int timeScanBatch();

  /** How often running backfills are looked for (a new one starts within this). */
  @WithDefault("2s")
  Duration backfillInterval();

  /** How many profile snapshots one backfill page evaluates. */
  @WithDefault("500")
  int backfillPage();

  /**
   * The profile service's base URL: a rule that names attributes is checked against its {@code GET
   * /v1/attributes} before it is saved.
   */
  String profileUrl();

  /** How long the profile service may take to answer (connecting and reading) before a 503. */
  @WithDefault("2s")
  Duration profileTimeout();
}
