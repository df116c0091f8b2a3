package io.cdp.connector.messaging;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdp.common.VertxContexts;
import io.cdp.connector.Backoff;
import io.cdp.connector.CelValues;
import io.cdp.connector.ConnectorRules;
import io.cdp.connector.CrmAction;
import io.cdp.connector.DeliverySource;
import io.cdp.connector.WebhookPayload;
import io.cdp.connector.config.DeliveryConfig;
import io.cdp.connector.grpc.ConsentGate;
import io.cdp.connector.grpc.ProfileLookup;
import io.cdp.connector.store.Connector;
import io.cdp.connector.store.Delivery;
import io.cdp.connector.store.PendingDeliveries;
import io.cdp.connector.store.Settlements;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executor;
import org.jboss.logging.Logger;

/**
 * Works one pending delivery until it is settled. Each attempt, in order: reads the delivery and
 * its connector (a deleted connector or a settled delivery ends the work), waits while the
 * connector's circuit is open ({@link DestinationGuards}), asks the consent service about the
 * connector's purposes (a denied one settles it {@code suppressed}), builds the body once (profile
 * from the profile service if the mapping reads it, mapping evaluated, body stored with the
 * delivery), waits for the connector's rate limit, and calls the destination. A failed attempt is
 * recorded and retried after a jittered exponential backoff; after the last one the delivery is
 * published on {@code cdp.deliveries.dead} and settled {@code dead}.
 */
@ApplicationScoped
public class DeliveryWorker {

  private static final Logger LOG = Logger.getLogger(DeliveryWorker.class);

  /** Deliveries per connector by outcome: delivered, suppressed, dead, and retried attempts. */
  static final String DELIVERIES = "cdp.connector.deliveries";

  /** Per connector: from the delivery's recording (its trigger arriving) to the receiver's 2xx. */
  static final String LATENCY = "cdp.connector.delivery.latency";

  /** What one attempt needs, read in one transaction. */
  private record Job(
      String deliveryId,
      UUID connectorId,
      String profileId,
      String type,
      Map<String, Object> config,
      String secret,
      List<String> purposes,
      Map<String, String> mapping,
      DeliverySource source,
      byte[] body,
      int attempts,
      Instant createdAt,
      Integer rateLimit) {}

  /** How an attempt went: a status when it settles the delivery, else the error to retry on. */
  private record Outcome(String status, String error, byte[] body) {}

  private final WebhookSender sender;
  private final KafkaDestination kafka;
  private final EmailDestination email;
  private final ProfileLookup profiles;
  private final ConsentGate consent;
  private final ConnectorRules rules;
  private final DeadLetters deadLetters;
  private final DestinationGuards guards;
  private final Settlements settlements;
  private final PendingDeliveries pending;
  private final DeliveryConfig config;
  private final Backoff backoff;
  private final Vertx vertx;
  private final ObjectMapper json;
  private final MeterRegistry metrics;

  public DeliveryWorker(
      WebhookSender sender,
      KafkaDestination kafka,
      EmailDestination email,
      ProfileLookup profiles,
      ConsentGate consent,
      ConnectorRules rules,
      DeadLetters deadLetters,
      DestinationGuards guards,
      Settlements settlements,
      PendingDeliveries pending,
      DeliveryConfig config,
      Vertx vertx,
      ObjectMapper json,
      MeterRegistry metrics) {
    this.sender = sender;
    this.kafka = kafka;
    this.email = email;
    this.profiles = profiles;
    this.consent = consent;
    this.rules = rules;
    this.deadLetters = deadLetters;
    this.guards = guards;
    this.settlements = settlements;
    this.pending = pending;
    this.config = config;
    this.backoff = new Backoff(config.backoff());
    this.vertx = vertx;
    this.json = json;
    this.metrics = metrics;
  }

  /**
   * Works {@code deliveryId} until settled; never fails (what cannot be recorded stays pending for
   * the sweep). Must run on a safe Vert.x duplicated context: Hibernate Reactive needs one.
   */
  public Uni<Void> process(String deliveryId) {
    Executor here = VertxContexts.callerContext();
    return attempt(deliveryId, 1, -1, here)
        .onFailure()
        .recoverWithUni(
            e -> {
              LOG.errorf(e, "Delivery %s interrupted; it stays pending", deliveryId);
              return Uni.createFrom().voidItem();
            });
  }

  /** A short description of a failure for the delivery log. */
  static String describe(Throwable e) {
    return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
  }

  /**
   * Attempt number {@code attempt} of this run; {@code before} is how many attempts earlier runs
   * made (-1 until the first attempt read it).
   */
  private Uni<Void> attempt(String deliveryId, int attempt, int before, Executor here) {
    return pending
        .pending(deliveryId)
        .emitOn(here)
        .flatMap(
            loaded -> {
              if (loaded == null) {
                return Uni.createFrom().voidItem();
              }
              Job job = job(loaded.delivery(), loaded.connector());
              int earlier = before < 0 ? job.attempts() : before;
              return tryOnce(job, here)
                  .flatMap(outcome -> settle(job, outcome, attempt, earlier, here));
            });
  }

  /**
   * One attempt: waits until the connector's circuit lets a call go (waiting is no attempt), checks
   * consent, builds the body, waits for the connector's rate limit, and calls the destination. The
   * circuit learns how the call went, or that none was made.
   */
  private Uni<Outcome> tryOnce(Job job, Executor here) {
    UUID connectorId = job.connectorId();
    return guards
        .awaitCircuit(connectorId, here)
        // Consent is checked after the wait: a withdrawal during it still counts.
        .flatMap(ready -> denied(job).emitOn(here))
        .flatMap(
            denied -> {
              if (!denied.isEmpty()) {
                guards.notCalled(connectorId);
                return Uni.createFrom()
                    .item(
                        new Outcome(
                            Delivery.SUPPRESSED,
                            "Purpose not granted: " + String.join(", ", denied),
                            job.body()));
              }
              return body(job, here)
                  .call(body -> guards.awaitRate(connectorId, job.rateLimit(), here))
                  .flatMap(
                      body ->
                          send(job, body)
                              .emitOn(here)
                              .map(
                                  error -> {
                                    guards.called(connectorId, error == null);
                                    return error == null
                                        ? new Outcome(Delivery.DELIVERED, null, body)
                                        : new Outcome(null, error, body);
                                  }));
            })
        .onFailure()
        .recoverWithItem(
            e -> {
              guards.notCalled(connectorId);
              return new Outcome(null, describe(e), job.body());
            });
  }

  /** The purposes {@code job} needs that are not granted now; an erasure call needs none. */
  private Uni<List<String>> denied(Job job) {
    // An erasure call is the law at work, not marketing: no purpose gates it.
    return job.source().isErasure()
        ? Uni.createFrom().item(List.of())
        : consent.denied(job.profileId(), job.purposes(), job.source().eventPosition());
  }

  /** One attempt to hand {@code body} to the connector's destination: null, or why not. */
  private Uni<String> send(Job job, byte[] body) {
    return switch (job.type()) {
      case "kafka" ->
          kafka.send(
              String.valueOf(job.config().get("topic")),
              job.profileId(),
              job.deliveryId(),
              job.secret(),
              body);
      case "email" -> email.send(job.config(), job.deliveryId(), job.secret(), body);
      case "crm" -> {
        CrmAction action = CrmAction.of(job.source());
        yield sender.send(
            action.method(),
            CrmAction.recordUrl(String.valueOf(job.config().get("url")), job.profileId()),
            job.deliveryId(),
            job.secret(),
            body);
      }
      default ->
          sender.post(
              String.valueOf(job.config().get("url")), job.deliveryId(), job.secret(), body);
    };
  }

  /**
   * The stored body, or a new one built from the live profile (fetched only if the mapping reads
   * it) and stored before it is sent.
   */
  private Uni<byte[]> body(Job job, Executor here) {
    if (job.body() != null) {
      return Uni.createFrom().item(job.body());
    }
    if (job.source().isErasure()) {
      Map<String, Object> data = Map.of("identifiers", job.source().identifiers());
      return Uni.createFrom().item(payload(job, data));
    }
    Uni<Map<String, Object>> profile =
        rules.readsProfile(job.mapping())
            ? profiles.profile(job.profileId()).emitOn(here)
            : Uni.createFrom().item(CelValues.unknownProfile(job.profileId()));
    return profile
        .map(
            variable ->
                payload(
                    job,
                    rules.map(
                        job.mapping(),
                        variable,
                        job.source().eventVariable(),
                        job.source().audienceVariable())))
        // Whoever stored a body first wins: every attempt sends those bytes.
        .flatMap(body -> pending.body(job.deliveryId(), body).emitOn(here));
  }

  /** The JSON body of {@code job} with {@code data}; a crm call says what it asks for. */
  private static byte[] payload(Job job, Map<String, Object> data) {
    WebhookPayload payload =
        WebhookPayload.of(job.deliveryId(), job.connectorId().toString(), job.source(), data);
    return ("crm".equals(job.type()) ? payload.withAction(CrmAction.of(job.source())) : payload)
        .toJson();
  }

  private Uni<Void> settle(Job job, Outcome outcome, int attempt, int earlier, Executor here) {
    if (Delivery.SUPPRESSED.equals(outcome.status())) {
      count(job, Delivery.SUPPRESSED);
      return record(job, Delivery.SUPPRESSED, 0, outcome.error());
    }
    if (Delivery.DELIVERED.equals(outcome.status())) {
      count(job, Delivery.DELIVERED);
      metrics
          .timer(LATENCY, "connector", job.connectorId().toString())
          .record(Duration.between(job.createdAt(), Instant.now()));
      return recordDelivered(job, outcome.body(), here).call(() -> forgetIfErasure(job));
    }
    if (attempt >= config.maxAttempts()) {
      count(job, Delivery.DEAD);
      LOG.warnf(
          "Delivery %s dead after %d attempts: %s", job.deliveryId(), attempt, outcome.error());
      byte[] body = outcome.body() == null ? new byte[0] : outcome.body();
      return deadLetters
          .publish(
              job.deliveryId(),
              job.connectorId().toString(),
              job.profileId(),
              body,
              earlier + attempt,
              outcome.error())
          .emitOn(here)
          .flatMap(ignored -> record(job, Delivery.DEAD, 1, outcome.error()));
    }
    count(job, "retried");
    return record(job, Delivery.PENDING, 1, outcome.error())
        .flatMap(ignored -> delay(backoff.after(attempt).toMillis(), here))
        .flatMap(ignored -> attempt(job.deliveryId(), attempt + 1, earlier, here));
  }

  private void count(Job job, String outcome) {
    metrics
        .counter(DELIVERIES, "connector", job.connectorId().toString(), "outcome", outcome)
        .increment();
  }

  /** Records an attempt; only a delivery still pending changes (a replay or deletion wins). */
  private Uni<Void> record(Job job, String status, int attempts, String error) {
    return Panache.withTransaction(
            () ->
                Delivery.update(
                    "status = ?1, attempts = attempts + ?2, lastError = ?3, updatedAt = ?4"
                        + " where deliveryId = ?5 and status = ?6",
                    status,
                    attempts,
                    error,
                    Instant.now().truncatedTo(ChronoUnit.MICROS),
                    job.deliveryId(),
                    Delivery.PENDING))
        .replaceWithVoid();
  }

  /**
   * Settles the delivery as delivered and counts the fields its body carried, in a batch with other
   * deliveries ({@link Settlements}).
   */
  private Uni<Void> recordDelivered(Job job, byte[] body, Executor here) {
    return settlements
        .delivered(job.connectorId(), job.deliveryId(), sentFields(body))
        .emitOn(here);
  }

  /** The names of the fields in {@code body}'s {@code data}. */
  private List<String> sentFields(byte[] body) {
    try {
      List<String> names = new ArrayList<>();
      json.readTree(body).path("data").fieldNames().forEachRemaining(names::add);
      return names;
    } catch (IOException e) {
      throw new IllegalStateException("A delivery body is JSON we wrote", e);
    }
  }

  /** A delivered erasure call keeps no identifiers: the log row says only that it was made. */
  private Uni<Void> forgetIfErasure(Job job) {
    if (!job.source().isErasure()) {
      return Uni.createFrom().voidItem();
    }
    return Panache.withTransaction(
            () ->
                Delivery.update(
                    "body = null, sourceJson = null where deliveryId = ?1", job.deliveryId()))
        .replaceWithVoid();
  }

  private Uni<Void> delay(long millis, Executor here) {
    return Uni.createFrom()
        .<Void>emitter(emitter -> vertx.setTimer(millis, id -> emitter.complete(null)))
        .emitOn(here);
  }

  private Job job(Delivery delivery, Connector connector) {
    return new Job(
        delivery.deliveryId,
        connector.id,
        delivery.profileId,
        connector.type,
        read(connector.configJson, new TypeReference<Map<String, Object>>() {}),
        connector.secret,
        read(connector.purposesJson, new TypeReference<List<String>>() {}),
        read(connector.mappingJson, new TypeReference<Map<String, String>>() {}),
        read(delivery.sourceJson, new TypeReference<DeliverySource>() {}),
        delivery.body,
        delivery.attempts,
        delivery.createdAt,
        connector.rateLimitPerSecond);
  }

  private <T> T read(String text, TypeReference<T> type) {
    try {
      return json.readValue(text, type);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Stored connector or delivery JSON is unreadable", e);
    }
  }
}
