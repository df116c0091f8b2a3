package io.cdp.connector.messaging;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdp.common.VertxContexts;
import io.cdp.connector.Trigger;
import io.cdp.connector.TriggerOn;
import io.cdp.connector.WebhookPayload;
import io.cdp.connector.messaging.WebhookSender.Outcome;
import io.cdp.connector.store.Connector;
import io.cdp.connector.store.Delivery;
import io.cdp.contracts.audience.v1.MembershipTransition;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * How an audience transition becomes webhook deliveries: find the connectors whose trigger matches,
 * record a pending delivery for each, send them, record how each went, and only then acknowledge
 * the Kafka record.
 *
 * <p>Idempotency: a delivery's id is derived from the transition id and the connector id, and its
 * row in {@code deliveries} is the processed-id log. A replayed transition finds its deliveries;
 * those already {@code delivered} are skipped, the others are sent again under the same id (and the
 * same body), so a receiver that saw a send before a crash can drop the duplicate.
 */
@ApplicationScoped
public class MembershipConsumer {

  private static final Logger LOG = Logger.getLogger(MembershipConsumer.class);

  /** The channel reading {@code cdp.audiences.membership}. */
  public static final String CHANNEL = "audiences-membership";

  /** A delivery to send: where, signed with what, and the exact body. */
  private record Planned(String deliveryId, String url, String secret, byte[] body) {}

  /** A delivery once sent (or given up). */
  private record Sent(String deliveryId, Outcome outcome) {}

  private final WebhookSender sender;
  private final ObjectMapper json;

  public MembershipConsumer(WebhookSender sender, ObjectMapper json) {
    this.sender = sender;
    this.json = json;
  }

  @Incoming(CHANNEL)
  public Uni<Void> consume(MembershipTransition transition) {
    // Sending happens outside any session; the results are recorded back on this record's context.
    Executor onThisContext = VertxContexts.callerContext();
    return Panache.withTransaction(() -> plan(transition))
        .flatMap(this::sendAll)
        .emitOn(onThisContext)
        .flatMap(
            sent ->
                sent.isEmpty()
                    ? Uni.createFrom().voidItem()
                    : Panache.withTransaction(() -> record(sent)));
  }

  /** Records a pending delivery for every matching connector not delivered to already. */
  private Uni<List<Planned>> plan(MembershipTransition transition) {
    return Connector.<Connector>list("triggerAudience", transition.getAudienceId())
        .flatMap(
            connectors -> {
              List<Connector> matching =
                  connectors.stream().filter(c -> trigger(c).matches(transition)).toList();
              if (matching.isEmpty()) {
                return Uni.createFrom().item(List.<Planned>of());
              }
              List<String> ids =
                  matching.stream()
                      .map(
                          c ->
                              WebhookPayload.deliveryId(
                                  transition.getTransitionId(), c.id.toString()))
                      .toList();
              return Delivery.<Delivery>list("deliveryId in ?1", ids)
                  .flatMap(existing -> planNew(transition, matching, byId(existing)));
            });
  }

  private Uni<List<Planned>> planNew(
      MembershipTransition transition, List<Connector> matching, Map<String, Delivery> existing) {
    Instant now = now();
    List<Planned> planned = new ArrayList<>();
    List<Delivery> fresh = new ArrayList<>();
    for (Connector connector : matching) {
      WebhookPayload payload =
          WebhookPayload.of(connector.id.toString(), trigger(connector), transition);
      Delivery known = existing.get(payload.deliveryId());
      if (known != null && Delivery.DELIVERED.equals(known.status)) {
        continue;
      }
      if (known == null) {
        Delivery delivery = new Delivery();
        delivery.deliveryId = payload.deliveryId();
        delivery.connectorId = connector.id;
        delivery.profileId = transition.getProfileId();
        delivery.status = Delivery.PENDING;
        delivery.attempts = 0;
        delivery.createdAt = now;
        delivery.updatedAt = now;
        fresh.add(delivery);
      }
      planned.add(
          new Planned(payload.deliveryId(), url(connector), connector.secret, payload.toJson()));
    }
    Uni<Void> stored = fresh.isEmpty() ? Uni.createFrom().voidItem() : Delivery.persist(fresh);
    return stored.replaceWith(planned);
  }

  private Uni<List<Sent>> sendAll(List<Planned> planned) {
    if (planned.isEmpty()) {
      return Uni.createFrom().item(List.of());
    }
    return Uni.join()
        .all(
            planned.stream()
                .map(
                    p ->
                        sender
                            .send(p.url(), p.deliveryId(), p.secret(), p.body())
                            .map(outcome -> new Sent(p.deliveryId(), outcome)))
                .toList())
        .andFailFast();
  }

  private Uni<Void> record(List<Sent> sent) {
    List<String> ids = sent.stream().map(Sent::deliveryId).toList();
    return Delivery.<Delivery>list("deliveryId in ?1", ids)
        .map(
            rows -> {
              Map<String, Delivery> byId = byId(rows);
              Instant now = now();
              for (Sent s : sent) {
                Delivery row = byId.get(s.deliveryId());
                if (row == null) {
                  // The connector was deleted, with its log, while this was being sent.
                  continue;
                }
                if (!s.outcome().delivered()) {
                  LOG.warnf(
                      "Delivery %s failed after %d attempts: %s",
                      s.deliveryId(), s.outcome().attempts(), s.outcome().lastError());
                }
                row.status = s.outcome().delivered() ? Delivery.DELIVERED : Delivery.FAILED;
                row.attempts += s.outcome().attempts();
                row.lastError = s.outcome().lastError();
                row.updatedAt = now;
              }
              return null;
            });
  }

  /** Connectors are validated at save, so their trigger always parses. */
  private static Trigger trigger(Connector connector) {
    return new Trigger(
        connector.triggerAudience, TriggerOn.parse(connector.triggerOn).orElseThrow());
  }

  /** A webhook's config was validated at save: it has an http(s) {@code url}. */
  private String url(Connector connector) {
    try {
      return json.readTree(connector.configJson).path("url").asText();
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Stored connector config is unreadable", e);
    }
  }

  private static Map<String, Delivery> byId(List<Delivery> rows) {
    return rows.stream().collect(Collectors.toMap(d -> d.deliveryId, Function.identity()));
  }

  private static Instant now() {
    return Instant.now().truncatedTo(ChronoUnit.MICROS);
  }
}
