package io.cdp.consent.messaging;

import io.cdp.common.messaging.KafkaMessages;
import io.cdp.contracts.consent.v1.PrivacyRequest;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Channel;

/** Publishes privacy requests on {@code cdp.privacy.requests}, keyed by request id. */
@ApplicationScoped
public class PrivacyRequestPublisher {

  private final MutinyEmitter<PrivacyRequest> emitter;

  public PrivacyRequestPublisher(
      @Channel("privacy-requests-out") MutinyEmitter<PrivacyRequest> emitter) {
    this.emitter = emitter;
  }

  /** Completes when the broker acknowledged the request. */
  public Uni<Void> publish(PrivacyRequest request) {
    return emitter.sendMessage(KafkaMessages.keyed(request.getRequestId(), request));
  }
}
