package io.cdp.connector.messaging;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cdp.connector.CelValues;
import io.cdp.connector.ConnectorRules;
import io.cdp.connector.DeliverySource;
import io.cdp.connector.store.Connector;
import io.cdp.connector.store.Outbox;
import io.cdp.connector.store.Outbox.Match;
import io.cdp.connector.store.Outbox.Pending;
import io.cdp.contracts.identity.v1.ResolvedEvent;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * How a resolved event becomes deliveries: the connectors with an event trigger whose condition the
 * event satisfies get a pending delivery in the outbox (with the event, for the mapping), the Kafka
 * record is acknowledged once those are committed, and the dispatcher sends them.
 *
 * <p>Idempotency: see {@link Outbox}; the source id is the event's {@code messageId}, so a
 * redelivered event adds no delivery.
 */
@ApplicationScoped
public class EventConsumer {

  /** The channel reading {@code cdp.events.resolved}. */
  public static final String CHANNEL = "events-resolved";

  private static final Logger LOG = Logger.getLogger(EventConsumer.class);

  private final Outbox outbox;
  private final DeliveryDispatcher dispatcher;
  private final ConnectorRules rules;
  private final ObjectMapper json;

  public EventConsumer(
      Outbox outbox, DeliveryDispatcher dispatcher, ConnectorRules rules, ObjectMapper json) {
    this.outbox = outbox;
    this.dispatcher = dispatcher;
    this.rules = rules;
    this.json = json;
  }

  @Incoming(CHANNEL)
  public Uni<Void> consume(ResolvedEvent resolved) {
    ObjectNode event = DeliverySource.eventJson(resolved, payload(resolved));
    Map<String, Object> variable = CelValues.objectFromJson(event);
    // The event-trigger connectors are read with the outbox write, in the same transaction: the
    // extra round trip is what gives consent-service the time to apply consent carried by the
    // visitor's previous event (a race this does not close: see issue 7's note).
    return Panache.withTransaction(
            () ->
                Connector.<Connector>list("triggerEvent is not null")
                    .flatMap(
                        connectors ->
                            outbox.record(
                                "event:" + resolved.getEvent().getMessageId(),
                                resolved.getProfileId(),
                                connectors.stream()
                                    .filter(c -> rules.matches(c.triggerEvent, variable))
                                    .map(
                                        c ->
                                            new Match(
                                                c,
                                                DeliverySource.of(c.triggerEvent, resolved, event)))
                                    .toList())))
        .invoke(
            (List<Pending> pending) ->
                pending.forEach(p -> dispatcher.submit(p.connectorId(), p.deliveryId())))
        .replaceWithVoid();
  }

  /** The event's JSON; an unreadable one still has the record's own fields. */
  private JsonNode payload(ResolvedEvent resolved) {
    try {
      return json.readTree(resolved.getEvent().getPayloadJson().toByteArray());
    } catch (IOException e) {
      LOG.warnf("Event %s has unreadable JSON", resolved.getEvent().getMessageId());
      return null;
    }
  }
}
