package io.cdp.common.messaging;

import io.cdp.common.IdentifierKey;
import io.cdp.contracts.ProtoTime;
import io.cdp.contracts.consent.v1.PrivacyAck;
import io.cdp.contracts.consent.v1.PrivacyRequest;
import io.cdp.contracts.consent.v1.PrivacyRequestKind;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * A service's part of a privacy request: it erases what it holds and answers on {@code
 * cdp.privacy.acks}, keyed by request id; the consent service marks the request completed once
 * every service has answered with success.
 */
public final class PrivacyAcks {

  private static final Logger LOG = Logger.getLogger(PrivacyAcks.class);

  /**
   * Runs {@code erase} for an erasure request and sends the answer: success when it completes,
   * failure (logged, with the reason) when it fails or the request is of a kind no service handles.
   * Completes once the answer is on the broker, so the request's offset is committed only then.
   */
  public static Uni<Void> answer(
      PrivacyRequest request,
      String service,
      MutinyEmitter<PrivacyAck> acks,
      Supplier<Uni<?>> erase) {
    Uni<Message<PrivacyAck>> answer =
        request.getKind() != PrivacyRequestKind.ERASURE
            ? Uni.createFrom()
                .item(
                    failed(
                        request,
                        service,
                        new IllegalArgumentException(
                            "Unsupported request kind " + request.getKind())))
            : Uni.createFrom()
                .deferred(erase)
                .map(erased -> done(request, service))
                .onFailure()
                .recoverWithItem(
                    e -> {
                      LOG.errorf(e, "Erasure %s failed", request.getRequestId());
                      return failed(request, service, e);
                    });
    return answer.chain(acks::sendMessage);
  }

  /**
   * The person's identifiers a request names: the asked one, then every listed one, parsed and
   * normalised ({@link IdentifierKey}), without repeats; ones that cannot be parsed are left out.
   */
  public static List<IdentifierKey> identifiers(PrivacyRequest request) {
    return Stream.concat(Stream.of(request.getIdentifier()), request.getIdentifiersList().stream())
        .map(IdentifierKey::parse)
        .flatMap(Optional::stream)
        .distinct()
        .toList();
  }

  /** {@code service} has deleted what it held for the request. */
  public static Message<PrivacyAck> done(PrivacyRequest request, String service) {
    return KafkaMessages.keyed(
        request.getRequestId(), ack(request, service).setSuccess(true).build());
  }

  /** {@code service} could not delete what it held; the consent service reports the reason. */
  public static Message<PrivacyAck> failed(
      PrivacyRequest request, String service, Throwable error) {
    String reason = error.getMessage() == null ? error.getClass().getName() : error.getMessage();
    return KafkaMessages.keyed(
        request.getRequestId(), ack(request, service).setSuccess(false).setError(reason).build());
  }

  private static PrivacyAck.Builder ack(PrivacyRequest request, String service) {
    return PrivacyAck.newBuilder()
        .setRequestId(request.getRequestId())
        .setService(service)
        .setAcknowledgedAt(ProtoTime.timestamp(Instant.now()));
  }

  private PrivacyAcks() {}
}
