package io.cdp.identity.store;

import io.cdp.common.VertxContexts;
import io.quarkus.infinispan.client.Remote;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.infinispan.client.hotrod.RemoteCache;

/**
 * The identifier index in Infinispan ({@code identity-index}): {@code type:value} -> profile id. A
 * copy of the committed graph in PostgreSQL, read first on the hot path; a missing entry only costs
 * a query, so the cache may be cleared or lost at any time.
 */
@ApplicationScoped
public class IdentityIndex {

  private final RemoteCache<String, String> cache;

  public IdentityIndex(@Remote("identity-index") RemoteCache<String, String> cache) {
    this.cache = cache;
  }

  /** The cached profile ids of those keys that have one. */
  public Uni<Map<String, String>> getAll(Set<String> keys) {
    return VertxContexts.onCallerContext(Uni.createFrom().completionStage(cache.getAllAsync(keys)));
  }

  /** Records identifiers as linked; only ever called with committed links. */
  public Uni<Void> putAll(Map<String, String> links) {
    if (links.isEmpty()) {
      return Uni.createFrom().voidItem();
    }
    return VertxContexts.onCallerContext(
        Uni.createFrom().completionStage(cache.putAllAsync(links)));
  }

  /** Forgets identifiers whose links were deleted (erasure); only called after the commit. */
  public Uni<Void> removeAll(Set<String> keys) {
    return VertxContexts.onCallerContext(
        () ->
            CompletableFuture.allOf(
                keys.stream()
                    .map(key -> cache.removeAsync(key))
                    .toArray(CompletableFuture[]::new)));
  }
}
