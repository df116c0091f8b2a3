package io.cdp.audience.messaging;

import io.cdp.audience.Memberships;
import io.cdp.contracts.profile.v1.ProfileChange;
import io.opentelemetry.instrumentation.annotations.WithSpan;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Turns profile changes into membership transitions ({@link Memberships#apply}). Idempotency: a
 * change at or below the profile's last applied version is skipped, so a redelivery publishes
 * nothing new.
 */
@ApplicationScoped
public class ProfileChangeConsumer {

  private final Memberships memberships;

  public ProfileChangeConsumer(Memberships memberships) {
    this.memberships = memberships;
  }

  @Incoming("profiles-changes")
  @WithSpan
  public Uni<Void> consume(ProfileChange change) {
    if (change.getProfileId().isEmpty()) {
      return Uni.createFrom().voidItem();
    }
    return memberships.apply(change);
  }
}
