package io.cdp.connector.messaging;

import io.cdp.common.messaging.PrivacyAcks;
import io.cdp.connector.DeliverySource;
import io.cdp.connector.WebhookPayload;
import io.cdp.connector.store.Connector;
import io.cdp.connector.store.Delivery;
import io.cdp.connector.store.Outbox;
import io.cdp.connector.store.Outbox.Match;
import io.cdp.connector.store.Outbox.Pending;
import io.cdp.contracts.consent.v1.PrivacyAck;
import io.cdp.contracts.consent.v1.PrivacyRequest;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * This service's part of an erasure: in one transaction, the person's deliveries (the queue and the
 * log) are deleted and an erasure call is queued for every connector that takes them; then the
 * request is acknowledged on {@code cdp.privacy.acks}. A delivery already on the wire may still
 * arrive; nothing is sent for the person after that.
 *
 * <p>Idempotency: the erasure call's delivery id derives from the request id, so a repeated request
 * queues no second call (a delivered one is kept, without its identifiers, as that record).
 */
@ApplicationScoped
public class PrivacyRequestConsumer {

  static final String SERVICE = "connector-service";

  private final Outbox outbox;
  private final DeliveryDispatcher dispatcher;
  private final MutinyEmitter<PrivacyAck> acks;

  public PrivacyRequestConsumer(
      Outbox outbox,
      DeliveryDispatcher dispatcher,
      @Channel("privacy-acks") MutinyEmitter<PrivacyAck> acks) {
    this.outbox = outbox;
    this.dispatcher = dispatcher;
    this.acks = acks;
  }

  @Incoming("privacy-requests")
  public Uni<Void> consume(PrivacyRequest request) {
    String profileId = request.getProfileId();
    String sourceId = "erasure:" + request.getRequestId();
    return PrivacyAcks.answer(
        request,
        SERVICE,
        acks,
        () ->
            Panache.withTransaction(
                    () ->
                        Connector.<Connector>list("erasure", true)
                            .call(connectors -> forget(profileId, callIds(sourceId, connectors))))
                // After the deletion committed: a repeat of the request finds its calls kept.
                .chain(connectors -> outbox.record(sourceId, profileId, calls(connectors, request)))
                .invoke(
                    (List<Pending> pending) ->
                        pending.forEach(p -> dispatcher.submit(p.connectorId(), p.deliveryId()))));
  }

  /** Deletes the person's deliveries but this request's own erasure calls (a repeat keeps them). */
  private static Uni<Long> forget(String profileId, List<String> keep) {
    if (profileId.isEmpty()) {
      return Uni.createFrom().item(0L);
    }
    return keep.isEmpty()
        ? Delivery.delete("profileId", profileId)
        : Delivery.delete("profileId = ?1 and deliveryId not in ?2", profileId, keep);
  }

  private static List<String> callIds(String sourceId, List<Connector> connectors) {
    return connectors.stream()
        .map(c -> WebhookPayload.deliveryId(sourceId, c.id.toString()))
        .toList();
  }

  private static List<Match> calls(List<Connector> connectors, PrivacyRequest request) {
    DeliverySource erasure = DeliverySource.erasure(request);
    return connectors.stream().map(c -> new Match(c, erasure)).toList();
  }
}
