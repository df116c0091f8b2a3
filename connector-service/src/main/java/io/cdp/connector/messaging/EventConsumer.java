package io.cdp.connector.messaging;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cdp.connector.CelValues;
import io.cdp.connector.ConnectorRules;
import io.cdp.connector.DeliverySource;
import io.cdp.connector.store.ConnectorCatalog;
import io.cdp.connector.store.Outbox;
import io.cdp.connector.store.Outbox.Match;
import io.cdp.contracts.identity.v1.ResolvedEvent;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * How a resolved event becomes deliveries: the connectors with an event trigger (from {@link
 * ConnectorCatalog}, in memory) whose condition the event satisfies get a pending delivery in the
 * outbox (with the event, for the mapping), the Kafka record is acknowledged once those are
 * committed, and the dispatcher sends them.
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
  private final ConnectorCatalog catalog;
  private final ObjectMapper json;

  public EventConsumer(
      Outbox outbox,
      DeliveryDispatcher dispatcher,
      ConnectorRules rules,
      ConnectorCatalog catalog,
      ObjectMapper json) {
    this.outbox = outbox;
    this.catalog = catalog;
    this.dispatcher = dispatcher;
    this.rules = rules;
    this.json = json;
  }

  @Incoming(CHANNEL)
  public Uni<Void> consume(
      ResolvedEvent resolved, IncomingKafkaRecordMetadata<String, ResolvedEvent> record) {
    return catalog
        .current()
        .chain(
            connectors -> {
              if (connectors.withEventTrigger().isEmpty()) {
                return Uni.createFrom().voidItem();
              }
              ObjectNode event = DeliverySource.eventJson(resolved, payload(resolved));
              Map<String, Object> variable = CelValues.objectFromJson(event);
              // The consent service reads this topic on its own: the event's position lets the
              // consent check wait until the consent this event and the visitor's earlier ones
              // carry is applied, however far ahead of it this consumer is.
              DeliverySource.EventPosition position =
                  new DeliverySource.EventPosition(record.getPartition(), record.getOffset());
              List<Match> matches =
                  connectors.withEventTrigger().stream()
                      .filter(c -> rules.matches(c.triggerEvent, variable))
                      .map(
                          c ->
                              new Match(
                                  c, DeliverySource.of(c.triggerEvent, resolved, event, position)))
                      .toList();
              if (matches.isEmpty()) {
                return Uni.createFrom().voidItem();
              }
              return outbox
                  .record(
                      "event:" + resolved.getEvent().getMessageId(),
                      resolved.getProfileId(),
                      matches)
                  .invoke(
                      pending ->
                          pending.forEach(p -> dispatcher.submit(p.connectorId(), p.deliveryId())))
                  .replaceWithVoid();
            });
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
