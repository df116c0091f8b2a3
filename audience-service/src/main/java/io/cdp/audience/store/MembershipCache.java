package io.cdp.audience.store;

import io.cdp.common.VertxContexts;
import io.quarkus.infinispan.client.Remote;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.infinispan.client.hotrod.RemoteCache;

/**
 * The hot copy of memberships in Infinispan (profile id to its audience ids). PostgreSQL stays the
 * truth: an entry is written at the end of the transaction that produced it, under the profile's
 * lock, and readers trust it only when its version and round match the ones PostgreSQL committed.
 */
@ApplicationScoped
public class MembershipCache {

  private final RemoteCache<String, MembershipSet> memberships;

  public MembershipCache(@Remote("memberships") RemoteCache<String, MembershipSet> memberships) {
    this.memberships = memberships;
  }

  /** The cached set, or null. */
  public Uni<MembershipSet> get(String profileId) {
    return onCallerContext(memberships.getAsync(profileId));
  }

  /** The cached sets of those of the profiles that have one. */
  public Uni<Map<String, MembershipSet>> getAll(Set<String> profileIds) {
    return onCallerContext(memberships.getAllAsync(profileIds));
  }

  /** Records several profiles' memberships at once. */
  public Uni<Void> putAll(Map<String, MembershipSet> sets) {
    return onCallerContext(memberships.putAllAsync(sets));
  }

  /** Forgets a deleted or erased profile. */
  public Uni<Void> remove(String profileId) {
    return onCallerContext(memberships.removeAsync(profileId)).replaceWithVoid();
  }

  private static <T> Uni<T> onCallerContext(CompletionStage<T> stage) {
    return VertxContexts.onCallerContext(Uni.createFrom().completionStage(stage));
  }
}
