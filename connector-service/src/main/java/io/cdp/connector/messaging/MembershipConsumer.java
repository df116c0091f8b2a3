package io.cdp.connector.messaging;

import io.cdp.connector.DeliverySource;
import io.cdp.connector.Trigger;
import io.cdp.connector.TriggerOn;
import io.cdp.connector.store.Connector;
import io.cdp.connector.store.Outbox;
import io.cdp.connector.store.Outbox.Match;
import io.cdp.connector.store.Outbox.Pending;
import io.cdp.contracts.audience.v1.MembershipTransition;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * How an audience transition becomes deliveries: the connectors whose trigger matches get a pending
 * delivery in the outbox, the Kafka record is acknowledged once those are committed, and the
 * dispatcher sends them on each connector's own lane.
 *
 * <p>Idempotency: see {@link Outbox}; a redelivered transition adds no delivery.
 */
@ApplicationScoped
public class MembershipConsumer {

  /** The channel reading {@code cdp.audiences.membership}. */
  public static final String CHANNEL = "audiences-membership";

  private final Outbox outbox;
  private final DeliveryDispatcher dispatcher;

  public MembershipConsumer(Outbox outbox, DeliveryDispatcher dispatcher) {
    this.outbox = outbox;
    this.dispatcher = dispatcher;
  }

  @Incoming(CHANNEL)
  public Uni<Void> consume(MembershipTransition transition) {
    return Panache.withTransaction(
            () ->
                Connector.<Connector>list("triggerAudience", transition.getAudienceId())
                    .flatMap(
                        connectors ->
                            outbox.record(
                                transition.getTransitionId(),
                                transition.getProfileId(),
                                matches(connectors, transition))))
        .invoke(
            (List<Pending> pending) ->
                pending.forEach(p -> dispatcher.submit(p.connectorId(), p.deliveryId())))
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
