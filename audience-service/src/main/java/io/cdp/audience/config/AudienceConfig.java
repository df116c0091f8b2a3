package io.cdp.audience.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Settings of re-evaluation without profile changes: time passing and backfills. */
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
}
