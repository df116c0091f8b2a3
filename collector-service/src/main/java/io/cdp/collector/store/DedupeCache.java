package io.cdp.collector.store;

import io.cdp.common.VertxContexts;
import io.quarkus.infinispan.client.Remote;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.infinispan.client.hotrod.RemoteCache;

/**
 * The {@code messageId}s forwarded recently, in the Infinispan cache {@code collector-dedupe}: key
 * {@code sourceId:messageId}, value the time it was received. Entries expire after the dedupe
 * window and the cache is bounded in size (see application.properties), so memory stays bounded;
 * losing an entry only lets a duplicate through, never loses an event.
 */
@ApplicationScoped
public class DedupeCache {

  private final RemoteCache<String, String> cache;

  public DedupeCache(@Remote("collector-dedupe") RemoteCache<String, String> cache) {
    this.cache = cache;
  }

  /** Those of {@code keys} already forwarded within the window. */
  public Uni<Set<String>> seen(Set<String> keys) {
    return VertxContexts.onCallerContext(() -> cache.getAllAsync(keys)).map(Map::keySet);
  }

  /** Remembers forwarded keys for {@code window}. */
  public Uni<Void> mark(Map<String, String> keys, Duration window) {
    return VertxContexts.onCallerContext(
        () -> cache.putAllAsync(keys, window.toMillis(), TimeUnit.MILLISECONDS));
  }
}
