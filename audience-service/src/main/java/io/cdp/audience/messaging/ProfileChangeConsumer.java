package io.cdp.audience.messaging;

import io.cdp.audience.Memberships;
import io.cdp.common.messaging.TraceHeaders;
import io.cdp.contracts.profile.v1.ProfileChange;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Turns profile changes into membership transitions, a Kafka poll at a time ({@link
 * Memberships#applyAll}); the poll is acknowledged once its transitions are. Idempotency: a change
 * at or below the profile's last applied version is skipped, so a redelivery publishes nothing new.
 * Each transition continues the trace of the change that caused it.
 */
@ApplicationScoped
public class ProfileChangeConsumer {

  private final Memberships memberships;
  private final TextMapPropagator propagator;

  public ProfileChangeConsumer(Memberships memberships, OpenTelemetry telemetry) {
    this.memberships = memberships;
    this.propagator = telemetry.getPropagators().getTextMapPropagator();
  }

  @Incoming("profiles-changes")
  public Uni<Void> consume(ConsumerRecords<String, ProfileChange> poll) {
    List<Memberships.Change> changes = new ArrayList<>(poll.count());
    for (ConsumerRecord<String, ProfileChange> record : poll) {
      if (record.value() == null || record.value().getProfileId().isEmpty()) {
        continue;
      }
      Context trace = propagator.extract(Context.root(), record.headers(), TraceHeaders.GETTER);
      changes.add(new Memberships.Change(record.value(), trace));
    }
    return memberships.applyAll(changes);
  }
}
