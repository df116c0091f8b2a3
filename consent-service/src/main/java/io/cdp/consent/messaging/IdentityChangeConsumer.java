package io.cdp.consent.messaging;

import io.cdp.consent.grpc.PersonCache;
import io.cdp.contracts.identity.v1.IdentityMerge;
import io.cdp.contracts.identity.v1.IdentitySplit;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Merges ({@code cdp.identity.merges}) and splits ({@code cdp.identity.splits}) of profiles: who
 * the profiles involved are has changed, so checks stop relying on what {@link PersonCache} knew of
 * them at once rather than after its TTL. Every instance keeps its own cache, so every instance
 * reads every merge and split (a consumer group of its own, from the end of the topics: a cache
 * that starts empty needs no older ones). Forgetting twice is harmless, so a replay is too.
 */
@ApplicationScoped
public class IdentityChangeConsumer {

  private final PersonCache people;

  public IdentityChangeConsumer(PersonCache people) {
    this.people = people;
  }

  @Incoming("identity-merges")
  public void merged(IdentityMerge merge) {
    List<String> profileIds = new ArrayList<>(merge.getMergedProfileIdsList());
    profileIds.add(merge.getSurvivingProfileId());
    people.forget(profileIds);
  }

  @Incoming("identity-splits")
  public void split(IdentitySplit split) {
    people.forget(List.of(split.getFromProfileId(), split.getToProfileId()));
  }
}
