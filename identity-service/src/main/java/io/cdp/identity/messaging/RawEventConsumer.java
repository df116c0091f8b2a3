package io.cdp.identity.messaging;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.Timestamp;
import io.cdp.common.messaging.KafkaMessages;
import io.cdp.contracts.ProtoTime;
import io.cdp.contracts.collector.v1.RawEvent;
import io.cdp.contracts.identity.v1.ResolvedEvent;
import io.cdp.identity.IdentifierRef;
import io.cdp.identity.Identifiers;
import io.cdp.identity.IdentityResolver;
import io.cdp.identity.Resolution;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * Resolves every event of {@code cdp.events.raw} to a profile and publishes it on {@code
 * cdp.events.resolved}, keyed by profile id so one profile's events stay in order.
 *
 * <p>Delivery is at-least-once: the graph is committed first, then the resolved event is sent, and
 * the raw record is acknowledged (its offset committed) only once the broker acknowledged the send.
 * A crash in between replays the raw event. IDEMPOTENCY: a replay is harmless because linking is an
 * upsert on the identifier's primary key that keeps the greatest event time, and a merge moves
 * every identifier of the merged profiles to the survivor: the replay finds all its identifiers on
 * one profile, resolves to it, merges and publishes no merge again ({@link IdentityResolver}). The
 * resolved event may be published twice with the same {@code messageId}, which downstream consumers
 * deduplicate. Merges are published before the event, so a consumer of both sees the merge first.
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

  public RawEventConsumer(
      IdentityResolver resolver,
      Identifiers identifiers,
      @Channel("events-resolved") MutinyEmitter<ResolvedEvent> resolved,
      ObjectMapper json,
      MeterRegistry meters) {
    this.resolver = resolver;
    this.identifiers = identifiers;
    this.resolved = resolved;
    this.json = json;
    this.unresolvable = meters.counter("cdp.identity.events.unresolvable");
    this.suppressed = meters.counter("cdp.identity.events.suppressed");
  }

  @Incoming("events-raw")
  public Uni<Void> consume(RawEvent event) {
    List<IdentifierRef> found =
        identifiers.extract(
            event.getType(), event.getUserId(), event.getAnonymousId(), payload(event));
    if (found.isEmpty()) {
      // Only blocked placeholders (e.g. anonymousId "anonymous"): no profile can own the event.
      unresolvable.increment();
      LOG.warnf("Event %s has no usable identifier; not resolved", event.getMessageId());
      return Uni.createFrom().voidItem();
    }
    return resolver
        .resolve(found, eventTime(event))
        .chain(
            resolution -> {
              if (resolution.isEmpty()) {
                suppressed.increment();
                LOG.debugf("Event %s carries an erased identifier; dropped", event.getMessageId());
                return Uni.createFrom().voidItem();
              }
              return resolved.sendMessage(message(resolution.get(), event));
            });
  }

  private static Message<ResolvedEvent> message(Resolution resolution, RawEvent event) {
    ResolvedEvent payload =
        ResolvedEvent.newBuilder()
            .setProfileId(resolution.profileId())
            .addAllIdentifiers(
                resolution.identifiers().stream().map(IdentifierRef::toProto).toList())
            .setEvent(event)
            .build();
    return KafkaMessages.keyed(resolution.profileId(), payload);
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
