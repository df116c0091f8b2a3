package io.cdp.profile.messaging;

import io.cdp.profile.config.ProfileConfig;
import io.cdp.profile.store.ProfileStore;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import org.jboss.logging.Logger;

/**
 * Deletes profiles not updated for {@code cdp.profile.retention} (400 days by default), with their
 * identifier index entries and merge pointers, from PostgreSQL and the caches; every {@code
 * cdp.profile.retention-scan-interval}. Several replicas may scan at once: a deletion repeated
 * deletes nothing more.
 */
@ApplicationScoped
public class RetentionScan {

  private static final Logger LOG = Logger.getLogger(RetentionScan.class);
  private static final Duration STEP_TIMEOUT = Duration.ofMinutes(2);

  private final ProfileStore store;
  private final ProfileConfig config;

  public RetentionScan(ProfileStore store, ProfileConfig config) {
    this.store = store;
    this.config = config;
  }

  /** Runs on a worker thread, one step at a time, until a step finds less than a full batch. */
  @Scheduled(
      every = "${cdp.profile.retention-scan-interval}",
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  void scan() {
    Instant before = Instant.now().minus(config.retention());
    int batch = config.retentionScanBatch();
    int total = 0;
    int deleted;
    try {
      do {
        deleted = store.expire(before, batch).await().atMost(STEP_TIMEOUT);
        total += deleted;
      } while (deleted == batch);
    } catch (RuntimeException e) {
      LOG.warnf("Retention scan stopped after %d profiles, next scan goes on: %s", total, e);
    }
    if (total > 0) {
      LOG.infof("Retention: %d profiles not updated since %s deleted", total, before);
    }
  }
}
