package io.cdp.profile.messaging;

import io.cdp.common.messaging.KafkaMessages;
import io.cdp.contracts.profile.v1.ProfileChange;
import io.cdp.contracts.profile.v1.VisitTransition;
import io.cdp.profile.ProfileSnapshots;
import io.cdp.profile.ProfileUpdate;
import io.opentelemetry.context.Context;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.TracingMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Channel;

/**
 * Writes {@code cdp.profiles.changes}, keyed by profile id so one profile's changes stay in order.
 * The returned Uni completes when the broker has acknowledged the record (acks=all).
 */
@ApplicationScoped
public class ProfileChangePublisher {

  private final MutinyEmitter<ProfileChange> emitter;

  public ProfileChangePublisher(@Channel("profiles-changes") MutinyEmitter<ProfileChange> emitter) {
    this.emitter = emitter;
  }

  /**
   * Publishes {@code update}; {@code cause} is the event's messageId, the merge id or {@code
   * visit_timeout}.
   */
  public Uni<Void> publish(ProfileUpdate update, String cause) {
    return publish(update, cause, Context.current());
  }

  /** As {@link #publish(ProfileUpdate, String)}, continuing {@code trace} (the event's). */
  public Uni<Void> publish(ProfileUpdate update, String cause, Context trace) {
    return send(
        ProfileChange.newBuilder()
            .setProfileId(update.profile().profileId())
            .setVersion(update.profile().version())
            .addAllChanged(update.changed())
            .setSnapshot(ProfileSnapshots.toProto(update.profile()))
            .setCause(cause)
            .setVisitTransition(
                switch (update.visitChange()) {
                  case STARTED -> VisitTransition.VISIT_STARTED;
                  case ENDED -> VisitTransition.VISIT_ENDED;
                  case NONE -> VisitTransition.VISIT_TRANSITION_NONE;
                })
            .build(),
        trace);
  }

  /** Publishes that {@code profileId} no longer exists (its last version was {@code version}). */
  public Uni<Void> publishDeleted(String profileId, long version, String cause) {
    return send(
        ProfileChange.newBuilder()
            .setProfileId(profileId)
            .setVersion(version + 1)
            .setCause(cause)
            .setDeleted(true)
            .build(),
        Context.current());
  }

  private Uni<Void> send(ProfileChange change, Context trace) {
    return emitter.sendMessage(
        KafkaMessages.keyed(change.getProfileId(), change)
            .addMetadata(TracingMetadata.withCurrent(trace)));
  }
}
