package io.cdp.profile.config;

import io.cdp.profile.ProfileUpdater;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Clock;

/** Builds the pure {@link ProfileUpdater} from configuration. */
public class ProfileUpdaterProducer {

  @Produces
  @Singleton
  ProfileUpdater profileUpdater(VisitConfig visit, ProfileConfig profile) {
    return new ProfileUpdater(visit.timeout(), profile.rememberedMessageIds(), Clock.systemUTC());
  }
}
