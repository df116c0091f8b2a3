package io.cdp.consent.store;

import com.google.protobuf.InvalidProtocolBufferException;
import io.cdp.common.VertxContexts;
import io.cdp.contracts.consent.v1.ConsentChange;
import io.quarkus.infinispan.client.Remote;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.infinispan.client.hotrod.Flag;
import org.infinispan.client.hotrod.MetadataValue;
import org.infinispan.client.hotrod.RemoteCache;
import org.infinispan.client.hotrod.annotation.ClientCacheEntryCreated;
import org.infinispan.client.hotrod.annotation.ClientCacheEntryExpired;
import org.infinispan.client.hotrod.annotation.ClientCacheEntryModified;
import org.infinispan.client.hotrod.annotation.ClientCacheEntryRemoved;
import org.infinispan.client.hotrod.annotation.ClientCacheFailover;
import org.infinispan.client.hotrod.annotation.ClientListener;
import org.infinispan.client.hotrod.event.ClientCacheEntryCreatedEvent;
import org.infinispan.client.hotrod.event.ClientCacheEntryExpiredEvent;
import org.infinispan.client.hotrod.event.ClientCacheEntryModifiedEvent;
import org.infinispan.client.hotrod.event.ClientCacheEntryRemovedEvent;
import org.infinispan.client.hotrod.event.ClientCacheFailoverEvent;

/**
 * The current state of every subject that has one, in the Infinispan cache {@code consent} ({@link
 * ConsentChange} protobuf bytes, kept without expiry), so that checks never wait for PostgreSQL.
 * PostgreSQL stays the truth: a change is committed there first, then offered here. The cache holds
 * every state once {@link ConsentCacheLoader} has filled it and set the {@link #LOADED} entry; from
 * then on a subject the cache lacks has no state. Without that entry (first start, or Infinispan
 * lost its data) readers ask PostgreSQL about what the cache lacks.
 *
 * <p>Checks read through a view in this process of the entries they asked for: a subject's state,
 * or that it has none. A client listener sees every write to the cache, by any instance, and drops
 * the subject from the view, so a change made through another instance counts here once its event
 * arrives (as with Infinispan's invalidated near cache, which cannot remember that a subject has no
 * state); this instance's own writes drop it before they return, so the very next check here reads
 * them. The view is dropped whole when the listener fails over to a new connection or a read finds
 * the cache not loaded. A check of a person whose subjects are all in the view is answered without
 * leaving the process: no round trip, no thread switch, and far less garbage per check.
 */
@ApplicationScoped
public class ConsentCache {

  /** Set once the cache holds every state; no subject key, which always has a colon, is this. */
  public static final String LOADED = "consent-cache-loaded";

  /** Held while one instance loads the cache, so that instances starting together load it once. */
  static final String LOADER = "consent-cache-loader";

  /** Entries in the view at most; beyond it the view starts again empty. */
  private static final int VIEW_MAX = 200_000;

  /** In the view: the subject has no state. */
  private static final ConsentChange NONE = ConsentChange.getDefaultInstance();

  /**
   * What the cache says of some subjects: the states it holds by subject, and whether it holds
   * every state ({@code complete}: the subjects not in {@code found} have none).
   */
  public record States(Map<String, ConsentChange> found, boolean complete) {}

  private final RemoteCache<String, byte[]> cache;

  /** The cache, answering conditional writes with the value they found (else always null). */
  private final RemoteCache<String, byte[]> returning;

  private final Map<String, ConsentChange> view = new ConcurrentHashMap<>();

  /**
   * Counts what dropped entries from the view: an answer read before such a drop may be older than
   * the write that caused it, so it is not kept ({@link #remember}).
   */
  private final AtomicLong drops = new AtomicLong();

  private final Invalidations listener = new Invalidations();

  /** Whether the listener is registered: until then the view keeps nothing. */
  private volatile boolean listening;

  public ConsentCache(@Remote("consent") RemoteCache<String, byte[]> cache) {
    this.cache = cache;
    this.returning = cache.withFlags(Flag.FORCE_RETURN_VALUE);
  }

  /** Registers the listener, which blocks: at start, never on an event loop. */
  void start(@Observes StartupEvent ignored) {
    cache.addClientListener(listener);
    listening = true;
  }

  @PreDestroy
  void stop() {
    cache.removeClientListener(listener);
  }

  /**
   * The cached states of {@code subjects}: from the view when it knows them all, else with one
   * round trip for those it lacks (and the {@link #LOADED} entry).
   */
  public Uni<States> getAll(Collection<String> subjects) {
    Map<String, ConsentChange> found = new HashMap<>();
    Set<String> misses = null;
    for (String subject : subjects) {
      ConsentChange state = view.get(subject);
      if (state == null) {
        if (misses == null) {
          misses = new HashSet<>();
        }
        misses.add(subject);
      } else if (state != NONE) {
        found.put(subject, state);
      }
    }
    if (misses == null) {
      return Uni.createFrom().item(new States(found, true));
    }
    return fetch(misses, found);
  }

  private Uni<States> fetch(Set<String> misses, Map<String, ConsentChange> found) {
    long dropsBefore = drops.get();
    Set<String> keys = new HashSet<>(misses);
    keys.add(LOADED);
    return VertxContexts.onCallerContext(() -> cache.getAllAsync(keys))
        .map(
            entries -> {
              boolean complete = entries.containsKey(LOADED);
              if (!complete) {
                dropAll();
              }
              for (String subject : misses) {
                ConsentChange state = parse(entries.get(subject));
                if (state != null) {
                  found.put(subject, state);
                }
                if (complete) {
                  remember(subject, state == null ? NONE : state, dropsBefore);
                }
              }
              return new States(found, complete);
            });
  }

  /**
   * Stores a state unless the cache already holds the same or a newer version. Writers that finish
   * out of order (two quick changes, or the loader) therefore never put an older state back: the
   * compare-and-set on Infinispan's entry version retries until one side wins.
   */
  public Uni<Void> offer(ConsentChange state) {
    return VertxContexts.onCallerContext(() -> offerAsync(state))
        .invoke(() -> drop(state.getSubject()));
  }

  /** Forgets a subject. */
  public Uni<Void> remove(String subject) {
    return VertxContexts.onCallerContext(() -> cache.removeAsync(subject))
        .invoke(() -> drop(subject))
        .replaceWithVoid();
  }

  /** Whether the cache holds every state. */
  Uni<Boolean> isLoaded() {
    return VertxContexts.onCallerContext(() -> cache.getAsync(LOADED)).map(value -> value != null);
  }

  /**
   * Puts states read from PostgreSQL where the cache has none: a state the cache holds was offered
   * after its commit, so it is at least as new as, or about to be replaced by, what was read.
   */
  Uni<Void> fill(List<ConsentChange> states) {
    return VertxContexts.onCallerContext(
        () -> {
          List<CompletableFuture<byte[]>> puts = new ArrayList<>(states.size());
          for (ConsentChange state : states) {
            puts.add(cache.putIfAbsentAsync(state.getSubject(), state.toByteArray()));
          }
          return CompletableFuture.allOf(puts.toArray(CompletableFuture[]::new));
        });
  }

  /** Takes the loader's lock for {@code lease}, unless another instance holds it. */
  Uni<Boolean> lockLoader(String token, Duration lease) {
    return VertxContexts.onCallerContext(
            () ->
                returning.putIfAbsentAsync(
                    LOADER, bytes(token), lease.toMillis(), TimeUnit.MILLISECONDS))
        .map(previous -> previous == null);
  }

  /**
   * Extends the loader's lock by {@code lease} if {@code token} still holds it: it is gone if
   * Infinispan lost its data meanwhile (then so are the states loaded so far), or if it expired.
   */
  Uni<Boolean> renewLoader(String token, Duration lease) {
    return VertxContexts.onCallerContext(
        () ->
            cache
                .getWithMetadataAsync(LOADER)
                .thenCompose(
                    (MetadataValue<byte[]> lock) -> {
                      if (lock == null || !Arrays.equals(lock.getValue(), bytes(token))) {
                        return CompletableFuture.completedFuture(false);
                      }
                      return cache.replaceWithVersionAsync(
                          LOADER,
                          lock.getValue(),
                          lock.getVersion(),
                          lease.toMillis(),
                          TimeUnit.MILLISECONDS,
                          0,
                          TimeUnit.MILLISECONDS);
                    }));
  }

  /**
   * Marks the cache loaded and releases the lock, if {@code token} held it until after the marker
   * was written: otherwise Infinispan may have lost the loaded states just before, and the marker
   * is taken back. Returns whether the cache is marked loaded.
   */
  Uni<Boolean> markLoaded(String token, Duration lease) {
    return renewLoader(token, lease)
        .chain(
            held ->
                !held
                    ? Uni.createFrom().item(false)
                    : VertxContexts.onCallerContext(
                            () -> cache.putAsync(LOADED, bytes(Instant.now().toString())))
                        .chain(() -> renewLoader(token, lease))
                        .chain(
                            stillHeld ->
                                VertxContexts.onCallerContext(
                                        () -> cache.removeAsync(stillHeld ? LOADER : LOADED))
                                    .replaceWith(stillHeld)));
  }

  private CompletionStage<Void> offerAsync(ConsentChange state) {
    String subject = state.getSubject();
    byte[] bytes = state.toByteArray();
    return cache
        .getWithMetadataAsync(subject)
        .thenCompose(
            (MetadataValue<byte[]> current) -> {
              if (current == null) {
                return returning
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

  /**
   * Keeps what a read found in the view, unless something was dropped since the read began: its
   * answer may then predate a write, whose drop may have come before this put. Dropping counts
   * before it removes, and this checks after it puts, so a stale answer never stays.
   */
  private void remember(String subject, ConsentChange state, long dropsBefore) {
    if (!listening) {
      return;
    }
    if (view.size() >= VIEW_MAX) {
      dropAll();
    }
    view.put(subject, state);
    if (drops.get() != dropsBefore) {
      view.remove(subject, state);
    }
  }

  private void drop(String subject) {
    drops.incrementAndGet();
    view.remove(subject);
  }

  private void dropAll() {
    drops.incrementAndGet();
    view.clear();
  }

  /** Every write to the cache, by any instance, drops its subject from the view. */
  @ClientListener
  public final class Invalidations {
    @ClientCacheEntryCreated
    public void created(ClientCacheEntryCreatedEvent<String> event) {
      drop(event.getKey());
    }

    @ClientCacheEntryModified
    public void modified(ClientCacheEntryModifiedEvent<String> event) {
      drop(event.getKey());
    }

    @ClientCacheEntryRemoved
    public void removed(ClientCacheEntryRemovedEvent<String> event) {
      drop(event.getKey());
    }

    @ClientCacheEntryExpired
    public void expired(ClientCacheEntryExpiredEvent<String> event) {
      drop(event.getKey());
    }

    /** Events may have been missed while the listener had no connection. */
    @ClientCacheFailover
    public void failedOver(ClientCacheFailoverEvent event) {
      dropAll();
    }
  }

  private static CompletionStage<Void> done() {
    return CompletableFuture.completedFuture(null);
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
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
