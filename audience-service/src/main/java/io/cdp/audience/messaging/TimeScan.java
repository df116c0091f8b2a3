package io.cdp.audience.messaging;

import io.cdp.audience.Memberships;
import io.cdp.audience.config.AudienceConfig;
import io.cdp.audience.store.ProfileSnapshot;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.jboss.logging.Logger;

/**
 * Makes members leave (and non-members join) when time alone changes a rule's answer, without
 * waiting for an event. Every evaluation records in the profile's snapshot row when that can next
 * happen ({@link io.cdp.audience.AudienceRules#nextTimeChange}); every {@code
 * cdp.audience.time-scan-interval} this re-evaluates the profiles whose moment has come, which
 * records their next one. Precision is therefore the scan interval.
 *
 * <p>What makes a repeat harmless: a re-evaluation publishes only what differs from the recorded
 * memberships, under the profile's lock ({@link Memberships#reevaluate}); with several replicas,
 * each scans and the second to reach a profile finds nothing left to do.
 */
@ApplicationScoped
public class TimeScan {

  private static final Logger LOG = Logger.getLogger(TimeScan.class);

  private final Memberships memberships;
  private final AudienceConfig config;

  public TimeScan(Memberships memberships, AudienceConfig config) {
    this.memberships = memberships;
    this.config = config;
  }

  @Scheduled(
      every = "${cdp.audience.time-scan-interval}",
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  Uni<Void> scan() {
    Instant now = Instant.now();
    int batch = config.timeScanBatch();
    AtomicReference<String> after = new AtomicReference<>("");
    return Uni.createFrom()
        .deferred(() -> Panache.withSession(() -> ProfileSnapshot.due(now, after.get(), batch)))
        .call(due -> reevaluate(due).invoke(() -> after.set(last(due, after.get()))))
        .repeat()
        .whilst(due -> due.size() == batch)
        .collect()
        .last()
        .replaceWithVoid()
        .onFailure()
        .invoke(e -> LOG.warnf("Time scan stopped, the next one goes on: %s", e.toString()))
        .onFailure()
        .recoverWithNull();
  }

  private Uni<Void> reevaluate(List<String> profileIds) {
    return Multi.createFrom()
        .iterable(profileIds)
        .onItem()
        .transformToUniAndConcatenate(memberships::reevaluate)
        .collect()
        .last()
        .replaceWithVoid();
  }

  private static String last(List<String> ids, String otherwise) {
    return ids.isEmpty() ? otherwise : ids.get(ids.size() - 1);
  }
}
