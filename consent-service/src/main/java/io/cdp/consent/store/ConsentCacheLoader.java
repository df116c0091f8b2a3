package io.cdp.consent.store;

import io.cdp.contracts.consent.v1.ConsentChange;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.vertx.core.runtime.context.VertxContextSafetyToggle;
import io.smallrye.common.vertx.VertxContext;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * Loads every current state from PostgreSQL into the Infinispan cache when the cache lacks its
 * {@link ConsentCache#LOADED} entry: at start (the first start, or Infinispan restarted while this
 * service was down), and whenever a read finds the entry gone (Infinispan restarted meanwhile).
 * Until then readers ask PostgreSQL about what the cache lacks. Instances that start together load
 * once: the one that takes the cache's loader lock (a lease it renews page by page, so a loader
 * that dies hands over within {@link #LEASE}) loads, the others go on reading PostgreSQL and try
 * again later. A load that lost its lock (Infinispan restarted under it) does not mark the cache
 * loaded. Loading only puts states the cache lacks, so it never overwrites a newer change.
 */
@ApplicationScoped
public class ConsentCacheLoader {

  private static final Logger LOG = Logger.getLogger(ConsentCacheLoader.class);

  /** States read from PostgreSQL and put in the cache at a time. */
  private static final int PAGE = 500;

  /** How long the loader's lock lasts unless renewed. */
  private static final Duration LEASE = Duration.ofSeconds(30);

  /** Reads that find the cache not loaded try to load it at most this often. */
  private static final Duration RETRY_AFTER = Duration.ofSeconds(1);

  private final ConsentStore store;
  private final ConsentCache cache;
  private final Vertx vertx;
  private final AtomicBoolean loading = new AtomicBoolean();
  private volatile long nextTryNanos = System.nanoTime();

  public ConsentCacheLoader(ConsentStore store, ConsentCache cache, Vertx vertx) {
    this.store = store;
    this.cache = cache;
    this.vertx = vertx;
  }

  void start(@Observes StartupEvent ignored) {
    loadIfMissing();
  }

  /**
   * Loads the cache if it is not loaded, in the background, unless this instance is loading it or
   * tried less than {@link #RETRY_AFTER} ago.
   */
  public void loadIfMissing() {
    long now = System.nanoTime();
    if (now - nextTryNanos < 0 || !loading.compareAndSet(false, true)) {
      return;
    }
    nextTryNanos = now + RETRY_AFTER.toNanos();
    // A context of its own: the load's database sessions are not the caller's
    Context context = VertxContext.createNewDuplicatedContext(vertx.getOrCreateContext());
    VertxContextSafetyToggle.setContextSafe(context, true);
    context.runOnContext(
        ignored ->
            loadUnlessLoaded()
                .onTermination()
                .invoke(() -> loading.set(false))
                .subscribe()
                .with(
                    loaded -> {},
                    e ->
                        LOG.warn("Loading the consent cache failed; retrying on a later read", e)));
  }

  private Uni<Void> loadUnlessLoaded() {
    String token = UUID.randomUUID().toString();
    return cache
        .isLoaded()
        .chain(
            loaded ->
                loaded
                    ? Uni.createFrom().voidItem()
                    : cache
                        .lockLoader(token, LEASE)
                        .chain(locked -> locked ? load(token) : Uni.createFrom().voidItem()));
  }

  private Uni<Void> load(String token) {
    long started = System.nanoTime();
    return loadAfter("", token, 0)
        .chain(
            count ->
                count < 0
                    ? Uni.createFrom().item(false)
                    : cache
                        .markLoaded(token, LEASE)
                        .invoke(
                            marked -> {
                              if (marked) {
                                LOG.infof(
                                    "Loaded %d consent states into the cache in %d ms",
                                    count,
                                    Duration.ofNanos(System.nanoTime() - started).toMillis());
                              }
                            }))
        .invoke(
            marked -> {
              if (!marked) {
                LOG.warn("The consent cache lost its loader lock while loading; loading again");
                nextTryNanos = System.nanoTime();
              }
            })
        .replaceWithVoid();
  }

  /**
   * Loads the states of subjects after {@code after}, page by page; returns how many were loaded in
   * all ({@code before} and these), or -1 if the lock was lost on the way.
   */
  private Uni<Long> loadAfter(String after, String token, long before) {
    return Panache.withSession(() -> store.page(after, PAGE))
        .chain(
            (List<ConsentChange> states) ->
                cache
                    .fill(states)
                    .chain(() -> cache.renewLoader(token, LEASE))
                    .chain(
                        held -> {
                          long count = before + states.size();
                          if (!held) {
                            return Uni.createFrom().item(-1L);
                          }
                          if (states.size() < PAGE) {
                            return Uni.createFrom().item(count);
                          }
                          return loadAfter(
                              states.get(states.size() - 1).getSubject(), token, count);
                        }));
  }
}
