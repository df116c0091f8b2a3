package io.cdp.common.messaging;

import io.cdp.contracts.ProtoTime;
import io.cdp.contracts.consent.v1.PrivacyAck;
import io.cdp.contracts.consent.v1.PrivacyRequest;
import java.time.Instant;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * A service's answer to a privacy request on {@code cdp.privacy.acks}, keyed by request id: the
 * consent service marks the request completed once every service has answered with success.
 */
public final class PrivacyAcks {

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
