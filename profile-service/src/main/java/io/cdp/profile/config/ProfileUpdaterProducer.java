package io.cdp.profile.config;

import io.cdp.profile.EnrichmentRules;
import io.cdp.profile.ProfileLimits;
import io.cdp.profile.ProfileMerger;
import io.cdp.profile.ProfileSplitter;
import io.cdp.profile.ProfileUpdater;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Clock;

/** Builds the pure domain objects from configuration. */
public class ProfileUpdaterProducer {

  @Produces
  @Singleton
  ProfileUpdater profileUpdater(VisitConfig visit, ProfileConfig profile) {
    return new ProfileUpdater(visit.timeout(), profile.rememberedMessageIds(), Clock.systemUTC());
  }

  @Produces
  @Singleton
  ProfileMerger profileMerger(ProfileConfig profile) {
    return new ProfileMerger(profile.rememberedMessageIds(), Clock.systemUTC());
  }

  @Produces
  @Singleton
  ProfileSplitter profileSplitter() {
    return new ProfileSplitter(Clock.systemUTC());
  }

  @Produces
  @Singleton
  ProfileLimits profileLimits(ProfileConfig profile) {
    return new ProfileLimits(profile.maxSize().asLongValue());
  }

  @Produces
  @Singleton
  EnrichmentRules enrichmentRules() {
    return new EnrichmentRules();
  }
}
