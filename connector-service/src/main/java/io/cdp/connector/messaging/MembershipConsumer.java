package io.cdp.connector.messaging;

import io.cdp.common.messaging.TraceHeaders;
import io.cdp.connector.DeliverySource;
import io.cdp.connector.Trigger;
import io.cdp.connector.TriggerOn;
import io.cdp.connector.WebhookPayload;
import io.cdp.connector.store.Connector;
import io.cdp.connector.store.ConnectorCatalog;
import io.cdp.connector.store.Outbox;
import io.cdp.connector.store.Outbox.Match;
import io.cdp.connector.store.Outbox.Pending;
import io.cdp.connector.store.Outbox.Planned;
import io.cdp.contracts.audience.v1.MembershipTransition;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * How an audience transition becomes deliveries: the connectors whose trigger matches ({@link
 * ConnectorCatalog}, in memory) get a pending delivery in the outbox, the Kafka record is
 * acknowledged once those are committed, and the dispatcher sends them on each connector's own
 * lane. Transitions come in batches (one poll), each recorded in one statement.
 *
 * <p>Idempotency: see {@link Outbox}; a redelivered transition adds no delivery.
 */
@ApplicationScoped
public class MembershipConsumer {

  /** The channel reading {@code cdp.audiences.membership}. */
  public static final String CHANNEL = "audiences-membership";

  private final Outbox outbox;
  private final DeliveryDispatcher dispatcher;
  private final ConnectorCatalog catalog;
  private final TextMapPropagator propagator;

  public MembershipConsumer(
      Outbox outbox,
      DeliveryDispatcher dispatcher,
      ConnectorCatalog catalog,
      OpenTelemetry telemetry) {
    this.propagator = telemetry.getPropagators().getTextMapPropagator();
    this.outbox = outbox;
    this.dispatcher = dispatcher;
    this.catalog = catalog;
  }

  /**
   * A batch of transitions (one poll) in one statement: its offsets are committed once the
   * statement has recorded every delivery it causes.
   */
  @Incoming(CHANNEL)
  public Uni<Void> consume(ConsumerRecords<String, MembershipTransition> batch) {
    // Each delivery goes on in the trace of its own transition (a poll holds many).
    Map<String, Context> traces = new HashMap<>();
    return catalog
        .current()
        .map(
            connectors -> {
              List<Planned> planned = new ArrayList<>();
              for (ConsumerRecord<String, MembershipTransition> record : batch) {
                MembershipTransition t = record.value();
                Context trace =
                    propagator.extract(Context.root(), record.headers(), TraceHeaders.GETTER);
                for (Match m : matches(connectors.ofAudience(t.getAudienceId()), t)) {
                  planned.add(new Planned(t.getTransitionId(), t.getProfileId(), m));
                  traces.put(
                      WebhookPayload.deliveryId(t.getTransitionId(), m.connector().id.toString()),
                      trace);
                }
              }
              return planned;
            })
        .flatMap(
            planned ->
                planned.isEmpty()
                    ? Uni.createFrom().item(List.<Pending>of())
                    : outbox.record(planned))
        .invoke(
            (List<Pending> pending) ->
                pending.forEach(
                    p ->
                        dispatcher.submit(
                            p.connectorId(),
                            p.deliveryId(),
                            traces.getOrDefault(p.deliveryId(), Context.current()))))
        .replaceWithVoid();
  }

  private static List<Match> matches(List<Connector> connectors, MembershipTransition t) {
    return connectors.stream()
        .filter(c -> c.triggerOn != null)
        .filter(c -> trigger(c).matches(t))
        .map(c -> new Match(c, DeliverySource.of(trigger(c), t)))
        .toList();
  }

  /** Connectors are validated at save, so an audience trigger always parses. */
  private static Trigger trigger(Connector connector) {
    return new Trigger(
        connector.triggerAudience, TriggerOn.parse(connector.triggerOn).orElseThrow());
  }
}
