package io.cdp.consent.privacy;

import io.cdp.common.Hashes;
import io.cdp.common.rest.ApiException;
import io.cdp.consent.Subject;
import io.cdp.consent.config.PrivacyConfig;
import io.cdp.consent.grpc.IdentityDirectory;
import io.cdp.consent.messaging.PrivacyRequestPublisher;
import io.cdp.consent.store.ErasureAck;
import io.cdp.consent.store.ErasureRequest;
import io.cdp.contracts.ProtoTime;
import io.cdp.contracts.consent.v1.PrivacyAck;
import io.cdp.contracts.consent.v1.PrivacyRequest;
import io.cdp.contracts.consent.v1.PrivacyRequestKind;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * Erasure requests from the API to completion. A request is stored first (so it is never lost),
 * then published on {@code cdp.privacy.requests}; every service in {@code cdp.privacy.services}
 * deletes what it holds about the person and answers on {@code cdp.privacy.acks}. The request is
 * completed when every one of them has answered with success. A request that is still pending is
 * published again after {@code cdp.privacy.resend-after} (services treat a repeat as a no-op), and
 * fails after {@code cdp.privacy.deadline}, naming who did not answer and why.
 */
@ApplicationScoped
public class Erasures {

  private static final Logger LOG = Logger.getLogger(Erasures.class);

  private final IdentityDirectory directory;
  private final PrivacyRequestPublisher publisher;
  private final PrivacyConfig config;

  public Erasures(
      IdentityDirectory directory, PrivacyRequestPublisher publisher, PrivacyConfig config) {
    this.directory = directory;
    this.publisher = publisher;
    this.config = config;
  }

  /** A request and the answers so far, as the API shows it. */
  public record Progress(ErasureRequest request, List<ErasureAck> acks) {}

  /**
   * Records an erasure of the person {@code subject} belongs to and publishes it. A failed publish
   * leaves the request pending: the periodic resend publishes it.
   */
  public Uni<Progress> request(Subject subject) {
    return directory
        .person(subject)
        .onFailure()
        .transform(
            e ->
                new ApiException(
                    503,
                    "unavailable",
                    "Cannot find who the identifier belongs to right now; try again: "
                        + e.getMessage()))
        .chain(
            person -> {
              Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
              ErasureRequest request = new ErasureRequest();
              request.id = UUID.randomUUID();
              request.identifierHash = Hashes.sha256Hex(subject.key());
              request.identifier = subject.key();
              request.identifiers =
                  person.subjects().stream()
                      .filter(s -> !s.type().equals(Subject.PROFILE))
                      .map(Subject::key)
                      .toArray(String[]::new);
              request.profileId = person.profileId();
              request.status = ErasureRequest.PENDING;
              request.requestedAt = now;
              request.sentAt = now;
              return Panache.withTransaction(request::persist).replaceWith(request);
            })
        .call(
            request ->
                publisher
                    .publish(message(request))
                    .onFailure()
                    .invoke(e -> LOG.warnf(e, "Erasure %s not published yet", request.id))
                    .onFailure()
                    .recoverWithNull())
        .map(request -> new Progress(request, List.of()));
  }

  /** The request and its answers, or null if there is no such request. */
  public Uni<Progress> progress(UUID id) {
    return Panache.withSession(
        () ->
            ErasureRequest.<ErasureRequest>findById(id)
                .chain(
                    request ->
                        request == null
                            ? Uni.createFrom().nullItem()
                            : ErasureAck.<ErasureAck>list("requestId", Sort.by("service"), id)
                                .map(acks -> new Progress(request, acks))));
  }

  /**
   * Records a service's answer and completes the request when every service has succeeded. An
   * answer to an unknown or finished request changes nothing.
   */
  public Uni<Void> acknowledged(PrivacyAck ack) {
    UUID id;
    try {
      id = UUID.fromString(ack.getRequestId());
    } catch (IllegalArgumentException e) {
      LOG.warnf("Ignoring an answer to a request id that is not ours: %s", ack.getRequestId());
      return Uni.createFrom().voidItem();
    }
    return Panache.withTransaction(
        () ->
            ErasureRequest.<ErasureRequest>findById(id, LockModeType.PESSIMISTIC_WRITE)
                .chain(
                    request -> {
                      if (request == null || !request.status.equals(ErasureRequest.PENDING)) {
                        return Uni.createFrom().voidItem();
                      }
                      return record(request, ack)
                          .chain(() -> ErasureAck.<ErasureAck>list("requestId", id))
                          .invoke(acks -> completeIfAllSucceeded(request, acks))
                          .replaceWithVoid();
                    }));
  }

  /** Publishes pending requests again and fails those past the deadline. */
  public Uni<Void> sweep() {
    Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
    Instant resendBefore = now.minus(config.resendAfter());
    return Panache.withTransaction(
            () ->
                ErasureRequest.<ErasureRequest>list(
                        "status = ?1 and sentAt < ?2", ErasureRequest.PENDING, resendBefore)
                    .chain(
                        requests ->
                            Multi.createFrom()
                                .iterable(requests)
                                .onItem()
                                .transformToUniAndConcatenate(request -> due(request, now))
                                .collect()
                                .last()))
        .replaceWithVoid();
  }

  private Uni<Void> due(ErasureRequest request, Instant now) {
    if (request.requestedAt.plus(config.deadline()).isBefore(now)) {
      return ErasureAck.<ErasureAck>list("requestId", request.id)
          .invoke(acks -> fail(request, acks, now))
          .replaceWithVoid();
    }
    request.sentAt = now;
    return publisher.publish(message(request));
  }

  private static Uni<Void> record(ErasureRequest request, PrivacyAck ack) {
    String id = ErasureAck.idOf(request.id, ack.getService());
    Instant at =
        ack.hasAcknowledgedAt() ? ProtoTime.instant(ack.getAcknowledgedAt()) : Instant.now();
    return ErasureAck.<ErasureAck>findById(id)
        .chain(
            known -> {
              if (known != null && known.success) {
                return Uni.createFrom().voidItem();
              }
              ErasureAck row = known == null ? new ErasureAck() : known;
              row.id = id;
              row.requestId = request.id;
              row.service = ack.getService();
              row.success = ack.getSuccess();
              row.error = ack.getSuccess() ? null : ack.getError();
              row.acknowledgedAt = at.truncatedTo(ChronoUnit.MICROS);
              return known == null ? row.persist().replaceWithVoid() : Uni.createFrom().voidItem();
            });
  }

  private void completeIfAllSucceeded(ErasureRequest request, List<ErasureAck> acks) {
    if (!missing(acks).isEmpty()) {
      return;
    }
    request.status = ErasureRequest.COMPLETED;
    request.finishedAt =
        acks.stream().map(a -> a.acknowledgedAt).max(Instant::compareTo).orElse(Instant.now());
    forget(request);
  }

  private void fail(ErasureRequest request, List<ErasureAck> acks, Instant now) {
    Map<String, String> errors = new TreeMap<>();
    acks.stream().filter(a -> !a.success).forEach(a -> errors.put(a.service, a.error));
    TreeSet<String> silent = new TreeSet<>(missing(acks));
    silent.removeAll(errors.keySet());
    StringBuilder reason = new StringBuilder("Not every service erased the person in time:");
    if (!silent.isEmpty()) {
      reason.append(" no answer from ").append(String.join(", ", silent)).append(';');
    }
    errors.forEach(
        (service, error) ->
            reason.append(' ').append(service).append(" failed: ").append(error).append(';'));
    request.status = ErasureRequest.FAILED;
    request.reason = reason.substring(0, reason.length() - 1);
    request.finishedAt = now;
    forget(request);
  }

  /** The services that have not answered with success yet. */
  private List<String> missing(List<ErasureAck> acks) {
    var succeeded =
        acks.stream().filter(a -> a.success).map(a -> a.service).collect(Collectors.toSet());
    return config.services().stream().filter(s -> !succeeded.contains(s)).sorted().toList();
  }

  /** A finished request keeps no personal data: only the hash of the asked identifier. */
  private static void forget(ErasureRequest request) {
    request.identifier = null;
    request.identifiers = new String[0];
  }

  private static PrivacyRequest message(ErasureRequest request) {
    PrivacyRequest.Builder message =
        PrivacyRequest.newBuilder()
            .setRequestId(request.id.toString())
            .setKind(PrivacyRequestKind.ERASURE)
            .setIdentifier(request.identifier == null ? "" : request.identifier)
            .addAllIdentifiers(List.of(request.identifiers))
            .setProfileId(request.profileId)
            .setRequestedAt(ProtoTime.timestamp(request.requestedAt));
    return message.build();
  }
}
