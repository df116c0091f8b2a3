package io.cdp.consent.store;

import com.google.protobuf.InvalidProtocolBufferException;
import io.cdp.common.VertxContexts;
import io.cdp.contracts.consent.v1.ConsentChange;
import io.quarkus.infinispan.client.Remote;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.infinispan.client.hotrod.MetadataValue;
import org.infinispan.client.hotrod.RemoteCache;

/**
 * The current state per subject in the Infinispan cache {@code consent}, for checks that must not
 * wait for PostgreSQL. Values are {@link ConsentChange} protobuf bytes. PostgreSQL stays the truth:
 * a missing entry only means "ask the database".
 */
@ApplicationScoped
public class ConsentCache {

  private final RemoteCache<String, byte[]> cache;

  public ConsentCache(@Remote("consent") RemoteCache<String, byte[]> cache) {
    this.cache = cache;
  }

  /** The cached state of a subject, or null on a miss. */
  public Uni<ConsentChange> get(String subject) {
    return VertxContexts.onCallerContext(() -> cache.getAsync(subject)).map(ConsentCache::parse);
  }

  /**
   * Stores a state unless the cache already holds the same or a newer version. Writers that finish
   * out of order (two quick changes, or a reader refilling a miss) therefore never put an older
   * state back: the compare-and-set on Infinispan's entry version retries until one side wins.
   */
  public Uni<Void> offer(ConsentChange state) {
    return VertxContexts.onCallerContext(() -> offerAsync(state)).replaceWithVoid();
  }

  /** Forgets a subject. */
  public Uni<Void> remove(String subject) {
    return VertxContexts.onCallerContext(() -> cache.removeAsync(subject)).replaceWithVoid();
  }

  private CompletionStage<Void> offerAsync(ConsentChange state) {
    String subject = state.getSubject();
    byte[] bytes = state.toByteArray();
    return cache
        .getWithMetadataAsync(subject)
        .thenCompose(
            (MetadataValue<byte[]> current) -> {
              if (current == null) {
                return cache
                    .putIfAbsentAsync(subject, bytes)
                    .thenCompose(previous -> previous == null ? done() : offerAsync(state));
              }
              if (parse(current.getValue()).getVersion() >= state.getVersion()) {
                return done();
              }
              return cache
                  .replaceWithVersionAsync(subject, bytes, current.getVersion())
                  .thenCompose(replaced -> replaced ? done() : offerAsync(state));
            });
  }

  private static CompletionStage<Void> done() {
    return CompletableFuture.completedFuture(null);
  }

  private static ConsentChange parse(byte[] bytes) {
    if (bytes == null) {
      return null;
    }
    try {
      return ConsentChange.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("The consent cache holds a value that is not a state", e);
    }
  }
}
