package io.cdp.consent.messaging;

import io.cdp.contracts.consent.v1.ConsentChange;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.Record;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Channel;

/**
 * Writes consent states to the compacted {@code cdp.consent.changes}, keyed by subject so that
 * compaction keeps each subject's latest state. Completes when the broker acknowledged it.
 */
@ApplicationScoped
public class ConsentChangePublisher {

  private final MutinyEmitter<Record<String, ConsentChange>> emitter;

  public ConsentChangePublisher(
      @Channel("consent-changes") MutinyEmitter<Record<String, ConsentChange>> emitter) {
    this.emitter = emitter;
  }

  public Uni<Void> publish(ConsentChange change) {
    return emitter.send(Record.of(change.getSubject(), change));
  }

  /** A tombstone: compaction then drops every state the subject ever had. */
  public Uni<Void> erase(String subject) {
    return emitter.send(Record.of(subject, null));
  }
}
