package io.cdp.consent.messaging;

import io.cdp.common.messaging.KafkaMessages;
import io.cdp.contracts.consent.v1.ConsentChange;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Channel;

/**
 * Writes consent states to the compacted {@code cdp.consent.changes}, keyed by subject so that
 * compaction keeps each subject's latest state. Completes when the broker acknowledged it.
 */
@ApplicationScoped
public class ConsentChangePublisher {

  private final MutinyEmitter<ConsentChange> emitter;

  public ConsentChangePublisher(@Channel("consent-changes") MutinyEmitter<ConsentChange> emitter) {
    this.emitter = emitter;
  }

  public Uni<Void> publish(ConsentChange change) {
    return emitter.sendMessage(KafkaMessages.keyed(change.getSubject(), change));
  }
}
