package io.cdp.consent.messaging;

import io.cdp.consent.privacy.Erasures;
import io.cdp.contracts.consent.v1.PrivacyAck;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/** Services' answers to privacy requests ({@code cdp.privacy.acks}); acknowledged once recorded. */
@ApplicationScoped
public class PrivacyAckConsumer {

  private final Erasures erasures;

  public PrivacyAckConsumer(Erasures erasures) {
    this.erasures = erasures;
  }

  @Incoming("privacy-acks")
  public Uni<Void> consume(PrivacyAck ack) {
    return erasures.acknowledged(ack);
  }
}
