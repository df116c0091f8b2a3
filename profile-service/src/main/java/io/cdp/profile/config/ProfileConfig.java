package io.cdp.profile.config;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Settings of the live profile. */
@ConfigMapping(prefix = "cdp.profile")
public interface ProfileConfig {

  /**
   * How many applied messageIds a profile remembers to ignore redeliveries. Kafka redelivers what
   * followed the last committed offset, so this only has to exceed the events of one profile that
   * can be in flight between commits.
   */
  @WithDefault("200")
  int rememberedMessageIds();

  /**
   * The most a profile's traits, attributes, badges and identifiers may take as JSON; an event that
   * would grow it further is clipped ({@link io.cdp.profile.ProfileLimits}).
   */
  @WithDefault("400K")
  MemorySize maxSize();

  /** The most attribute definitions there may be; each one is evaluated on every event. */
  @WithDefault("500")
  int maxAttributes();

  /** A profile not updated for this long is deleted. */
  @WithDefault("400D")
  Duration retention();

  /** How often profiles past their retention are looked for. */
  @WithDefault("1h")
  Duration retentionScanInterval();

  /** The most profiles one retention step deletes; a scan repeats steps until none is left. */
  @WithDefault("1000")
  int retentionScanBatch();
}
