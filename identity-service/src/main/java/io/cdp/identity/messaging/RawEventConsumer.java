package io.cdp.identity.messaging;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.Timestamp;
import io.cdp.common.messaging.KafkaMessages;
import io.cdp.common.messaging.TraceHeaders;
import io.cdp.contracts.ProtoTime;
import io.cdp.contracts.collector.v1.RawEvent;
import io.cdp.contracts.identity.v1.ResolvedEvent;
import io.cdp.identity.IdentifierRef;
import io.cdp.identity.Identifiers;
import io.cdp.identity.IdentityResolver;
import io.cdp.identity.IdentityResolver.Sighting;
import io.cdp.identity.Resolution;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.TracingMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * Resolves every event of {@code cdp.events.raw} to a profile and publishes it on {@code
 * cdp.events.resolved}, keyed by profile id so one profile's events stay in order.
 *
 * <p>Delivery is at-least-once: the graph is committed first, then the resolved events are sent,
 * and a poll's raw records are acknowledged (their offsets committed) only once the broker
 * acknowledged every send. A crash in between replays the raw events. IDEMPOTENCY: a replay is
 * harmless because linking is an upsert on the identifier's primary key that keeps the greatest
 * event time, and a merge moves every identifier of the merged profiles to the survivor: the replay
 * finds all its identifiers on one profile, resolves to it, merges and publishes no merge again
 * ({@link IdentityResolver}). The resolved event may be published twice with the same {@code
 * messageId}, which downstream consumers deduplicate. Merges are published before the event, so a
 * consumer of both sees the merge first.
 *
 * <p>An event carrying an erased (suppressed) identifier is dropped: nothing is linked or
 * published, its offset is committed, and {@code cdp.identity.events.suppressed} counts it.
 */
@ApplicationScoped
public class RawEventConsumer {

  private static final Logger LOG = Logger.getLogger(RawEventConsumer.class);

  private final IdentityResolver resolver;
  private final Identifiers identifiers;
  private final MutinyEmitter<ResolvedEvent> resolved;
  private final ObjectMapper json;
  private final Counter unresolvable;
  private final Counter suppressed;
  private final TextMapPropagator propagator;

  public RawEventConsumer(
      IdentityResolver resolver,
      Identifiers identifiers,
      @Channel("events-resolved") MutinyEmitter<ResolvedEvent> resolved,
      ObjectMapper json,
      MeterRegistry meters,
      OpenTelemetry telemetry) {
    this.propagator = telemetry.getPropagators().getTextMapPropagator();
    this.resolver = resolver;
    this.identifiers = identifiers;
    this.resolved = resolved;
    this.json = json;
    this.unresolvable = meters.counter("cdp.identity.events.unresolvable");
    this.suppressed = meters.counter("cdp.identity.events.suppressed");
  }

  /**
   * Resolves one poll's events ({@link IdentityResolver#resolveAll}), sends them in order, and
   * completes (acknowledging the poll) once the broker acknowledged every send.
   */
  @Incoming("events-raw")
  public Uni<Void> consume(ConsumerRecords<String, RawEvent> batch) {
    List<ConsumerRecord<String, RawEvent>> records = new ArrayList<>();
    List<Sighting> sightings = new ArrayList<>();
    for (ConsumerRecord<String, RawEvent> record : batch) {
      RawEvent event = record.value();
      List<IdentifierRef> found =
          identifiers.extract(
              event.getType(), event.getUserId(), event.getAnonymousId(), payload(event));
      if (found.isEmpty()) {
        // Only blocked placeholders (e.g. anonymousId "anonymous"): no profile can own the event.
        unresolvable.increment();
        LOG.warnf("Event %s has no usable identifier; not resolved", event.getMessageId());
        continue;
      }
      records.add(record);
      sightings.add(new Sighting(found, eventTime(event)));
    }
    return resolver
        .resolveAll(sightings)
        .chain(
            resolutions -> {
              List<CompletableFuture<Void>> sent = new ArrayList<>();
              for (int i = 0; i < records.size(); i++) {
                RawEvent event = records.get(i).value();
                Optional<Resolution> resolution = resolutions.get(i);
                if (resolution.isEmpty()) {
                  suppressed.increment();
                  LOG.debugf(
                      "Event %s carries an erased identifier; dropped", event.getMessageId());
                  continue;
                }
                // Subscribed here, in order: the producer keeps that order per partition.
                sent.add(
                    resolved
                        .sendMessage(message(resolution.get(), records.get(i)))
                        .subscribeAsCompletionStage());
              }
              return Uni.createFrom()
                  .completionStage(CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)));
            });
  }

  /** The resolved event, continuing the raw event's trace (a poll holds many). */
  private Message<ResolvedEvent> message(
      Resolution resolution, ConsumerRecord<String, RawEvent> record) {
    ResolvedEvent payload =
        ResolvedEvent.newBuilder()
            .setProfileId(resolution.profileId())
            .addAllIdentifiers(
                resolution.identifiers().stream().map(IdentifierRef::toProto).toList())
            .setEvent(record.value())
            .setProfileCreated(resolution.created())
            .build();
    Context trace = propagator.extract(Context.root(), record.headers(), TraceHeaders.GETTER);
    return KafkaMessages.keyed(resolution.profileId(), payload)
        .addMetadata(TracingMetadata.withCurrent(trace));
  }

  private JsonNode payload(RawEvent event) {
    if (event.getPayloadJson().isEmpty()) {
      return null;
    }
    try {
      return json.readTree(event.getPayloadJson().toByteArray());
    } catch (IOException e) {
      // The collector writes valid JSON; if not, the top-level ids still resolve the event.
      LOG.warnf("Event %s has an unreadable payload: %s", event.getMessageId(), e.getMessage());
      return null;
    }
  }

  /** Event time, so that first/last seen do not change when an event is replayed. */
  private static Instant eventTime(RawEvent event) {
    Timestamp t = event.hasTimestamp() ? event.getTimestamp() : event.getReceivedAt();
    return ProtoTime.instant(t);
  }
}
