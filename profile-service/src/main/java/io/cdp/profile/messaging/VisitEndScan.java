package io.cdp.profile.messaging;

import io.cdp.profile.Enrichments;
import io.cdp.profile.ProfileUpdater;
import io.cdp.profile.config.VisitConfig;
import io.cdp.profile.store.AttributeCatalog;
import io.cdp.profile.store.ProfileRows;
import io.cdp.profile.store.ProfileStore;
import io.cdp.profile.store.ProfileStore.OpenVisit;
import io.cdp.profile.store.RowBatch;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.vertx.VertxContextSupport;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Ends visits that have been idle longer than {@code cdp.visit.timeout} without waiting for a next
 * event: every {@code cdp.visit.scan-interval} it reads the open-visit index (never the profiles),
 * fires the {@code visit ended} rules, marks the visit ended and publishes a change with {@code
 * VISIT_ENDED} (cause {@code visit_timeout}), so audiences can change on time alone. The profiles a
 * scan changed are saved to PostgreSQL together at its end.
 *
 * <p>What makes a repeat harmless: the decision is taken on the profile, not on the index: a visit
 * already ended, or refreshed by an event since, is left alone. The write is conditional on the
 * version read, so a scan racing an event loses and retries at the next scan; with several replicas
 * each scans the whole index and the conditional write lets one of them end each visit.
 */
@ApplicationScoped
public class VisitEndScan {

  private static final Logger LOG = Logger.getLogger(VisitEndScan.class);
  private static final Duration STEP_TIMEOUT = Duration.ofSeconds(30);
  static final String CAUSE = "visit_timeout";

  private final ProfileStore store;
  private final ProfileUpdater updater;
  private final AttributeCatalog catalog;
  private final ProfileChangePublisher publisher;
  private final VisitConfig config;
  private final ProfileRows rows;

  public VisitEndScan(
      ProfileStore store,
      ProfileUpdater updater,
      AttributeCatalog catalog,
      ProfileChangePublisher publisher,
      VisitConfig config,
      ProfileRows rows) {
    this.store = store;
    this.updater = updater;
    this.catalog = catalog;
    this.publisher = publisher;
    this.config = config;
    this.rows = rows;
  }

  /** Runs on a worker thread: the index walk blocks. */
  @Scheduled(
      every = "${cdp.visit.scan-interval}",
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  void scan() {
    Instant now = Instant.now();
    if (!store.openVisitsSeeded()) {
      // The index was lost with the cache: rebuilt from PostgreSQL once, so visits of profiles
      // nobody reads again still end on time.
      store.seedOpenVisits(rows.openVisits().await().atMost(STEP_TIMEOUT));
    }
    List<OpenVisit> idle = store.idleVisits(now.minus(config.timeout()), config.scanBatch());
    if (idle.isEmpty()) {
      return;
    }
    Enrichments enrichments;
    try {
      enrichments = VertxContextSupport.subscribeAndAwait(catalog::current);
    } catch (Throwable e) {
      LOG.warnf("Visit scan postponed, attribute definitions unavailable: %s", e.getMessage());
      return;
    }
    RowBatch changed = new RowBatch();
    for (OpenVisit visit : idle) {
      try {
        end(visit, enrichments, now, changed).await().atMost(STEP_TIMEOUT);
      } catch (RuntimeException e) {
        LOG.warnf(
            "Visit of %s not ended, next scan retries: %s", visit.profileId(), e.getMessage());
      }
    }
    try {
      rows.save(changed).await().indefinitely();
    } catch (RuntimeException e) {
      // The cache has the ended visits; the profiles' next save or a later scan stores them.
      LOG.warnf("Ended visits not saved to PostgreSQL: %s", e.getMessage());
    }
  }

  private Uni<Void> end(OpenVisit visit, Enrichments enrichments, Instant now, RowBatch changed) {
    return store
        .read(visit.profileId())
        .chain(
            current -> {
              if (!current.exists()
                  || current.profile().visit() == null
                  || current.profile().visit().ended()) {
                return store.forgetVisit(visit);
              }
              return updater
                  .endVisit(current.profile(), now, enrichments)
                  .map(
                      update ->
                          store
                              .write(update, current)
                              .chain(
                                  written ->
                                      written
                                          ? publisher
                                              .publish(update, CAUSE)
                                              .invoke(() -> changed.profile(update.profile()))
                                              .chain(() -> store.forgetVisit(visit))
                                          : Uni.createFrom().voidItem()))
                  // Not idle after all: the index entry was behind the profile.
                  .orElseGet(
                      () -> store.refreshVisit(visit, current.profile().visit().lastEventAt()));
            });
  }
}
