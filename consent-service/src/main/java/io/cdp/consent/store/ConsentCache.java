package io.cdp.consent.store;

import com.google.protobuf.InvalidProtocolBufferException;
import io.cdp.common.VertxContexts;
import io.cdp.contracts.consent.v1.ConsentChange;
import io.quarkus.infinispan.client.Remote;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
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

  /**
   * How long the cache remembers that a subject has no state. Most subjects checked (profiles above
   * all) never chose anything: without this, each of their checks would ask PostgreSQL.
   */
  private static final Duration ABSENT_FOR = Duration.ofHours(1);

  /**
   * The cached states of {@code subjects} in one round trip: subject -> state, where a state of
   * version 0 ({@link #isAbsent}) means "known to have none"; subjects not in the answer are
   * misses.
   */
  public Uni<Map<String, ConsentChange>> getAll(Set<String> subjects) {
    return VertxContexts.onCallerContext(() -> cache.getAllAsync(subjects))
        .map(
            found -> {
              Map<String, ConsentChange> states = new HashMap<>();
              found.forEach((subject, bytes) -> states.put(subject, parse(bytes)));
              return states;
            });
  }

  /** Whether a cached state is the marker of a subject without state. */
  public static boolean isAbsent(ConsentChange state) {
    return state.getVersion() == 0;
  }

  /**
   * Remembers that {@code subject} has no state, unless the cache holds one: a change that commits
   * meanwhile is offered with a higher version and replaces the marker.
   */
  public Uni<Void> markAbsent(String subject) {
    // An empty state: version 0, no purposes, and not even the subject in the value.
    byte[] marker = ConsentChange.getDefaultInstance().toByteArray();
    return VertxContexts.onCallerContext(
            () -> cache.putIfAbsentAsync(subject, marker, ABSENT_FOR.toSeconds(), TimeUnit.SECONDS))
        .replaceWithVoid();
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
