package io.cdp.identity.messaging;

import io.cdp.common.messaging.KafkaMessages;
import io.cdp.contracts.identity.v1.IdentityMerge;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Channel;

/**
 * Writes merges to {@code cdp.identity.merges}, keyed by the surviving profile id so that they stay
 * in order with that profile's events. Completes when the broker acknowledged it.
 */
@ApplicationScoped
public class MergePublisher {

  private final MutinyEmitter<IdentityMerge> emitter;

  public MergePublisher(@Channel("identity-merges") MutinyEmitter<IdentityMerge> emitter) {
    this.emitter = emitter;
  }

  public Uni<Void> publish(IdentityMerge merge) {
    return emitter.sendMessage(KafkaMessages.keyed(merge.getSurvivingProfileId(), merge));
  }
}
