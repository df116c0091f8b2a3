package io.cdp.identity.messaging;

import io.cdp.common.messaging.KafkaMessages;
import io.cdp.contracts.identity.v1.IdentityMerge;
import io.cdp.contracts.identity.v1.IdentitySplit;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Channel;

/**
 * Announces committed changes of the graph that move identifiers between profiles: merges on {@code
 * cdp.identity.merges}, keyed by the surviving profile id so that they stay in order with that
 * profile's events, and splits (detach) on {@code cdp.identity.splits}, keyed by the profile the
 * identifiers left. Each Uni completes when the broker acknowledged the record.
 */
@ApplicationScoped
public class GraphPublisher {

  private final MutinyEmitter<IdentityMerge> merges;
  private final MutinyEmitter<IdentitySplit> splits;

  public GraphPublisher(
      @Channel("identity-merges") MutinyEmitter<IdentityMerge> merges,
      @Channel("identity-splits") MutinyEmitter<IdentitySplit> splits) {
    this.merges = merges;
    this.splits = splits;
  }

  public Uni<Void> publish(IdentityMerge merge) {
    return merges.sendMessage(KafkaMessages.keyed(merge.getSurvivingProfileId(), merge));
  }

  public Uni<Void> publish(IdentitySplit split) {
    return splits.sendMessage(KafkaMessages.keyed(split.getFromProfileId(), split));
  }
}
