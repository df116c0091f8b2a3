package io.cdp.collector.store;

import io.cdp.common.VertxContexts;
import io.quarkus.infinispan.client.Remote;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.infinispan.client.hotrod.DataFormat;
import org.infinispan.client.hotrod.RemoteCache;
import org.infinispan.commons.dataconversion.MediaType;

/**
 * The {@code messageId}s forwarded recently, in the Infinispan cache {@code collector-dedupe}: key
 * {@code sourceId:messageId} (see {@link #key}), value empty (only the key's presence counts, and
 * every byte is kept per entry). Entries expire after the dedupe window and the cache is bounded in
 * size (see application.properties), so memory stays bounded; losing an entry only lets a duplicate
 * through, never loses an event.
 */
@ApplicationScoped
public class DedupeCache {

  private final RemoteCache<String, String> cache;

  public DedupeCache(@Remote("collector-dedupe") RemoteCache<String, String> cache) {
    WrappedStrings strings = new WrappedStrings(cache.getRemoteCacheContainer().getMarshaller());
    this.cache =
        cache.withDataFormat(
            DataFormat.builder()
                .keyType(MediaType.APPLICATION_PROTOSTREAM)
                .keyMarshaller(strings)
                .valueType(MediaType.APPLICATION_PROTOSTREAM)
                .valueMarshaller(strings)
                .build());
  }

  /**
   * The key of a messageId of a source. Kept as text on purpose: the server hashes keys with {@code
   * Arrays.hashCode}, under which packed binary ids that differ only in their last bytes
   * (sequential ids) collide by the thousands.
   */
  public static String key(String sourceId, String messageId) {
    return sourceId + ':' + messageId;
  }

  /** Those of {@code keys} already forwarded within the window. */
  public Uni<Set<String>> seen(Set<String> keys) {
    return VertxContexts.onCallerContext(() -> cache.getAllAsync(keys)).map(Map::keySet);
  }

  /** Remembers forwarded keys for {@code window}. */
  public Uni<Void> mark(Collection<String> keys, Duration window) {
    Map<String, String> entries = new HashMap<>(keys.size() * 2); // never resized
    keys.forEach(key -> entries.put(key, ""));
    return VertxContexts.onCallerContext(
        () -> cache.putAllAsync(entries, window.toMillis(), TimeUnit.MILLISECONDS));
  }
}
