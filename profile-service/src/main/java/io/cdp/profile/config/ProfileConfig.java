package io.cdp.profile.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

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
}
