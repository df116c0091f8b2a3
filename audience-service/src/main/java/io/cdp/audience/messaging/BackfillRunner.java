package io.cdp.audience.messaging;

import io.cdp.audience.AudienceRules;
import io.cdp.audience.Memberships;
import io.cdp.audience.config.AudienceConfig;
import io.cdp.audience.store.Audience;
import io.cdp.audience.store.Backfill;
import io.cdp.audience.store.Membership;
import io.cdp.audience.store.ProfileSnapshot;
import io.cdp.common.ProfileVariables;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.panache.common.Sort;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * Evaluates a new or changed audience over the profiles that exist already ({@link Backfill}): the
 * stored snapshots are read a page at a time in profile id order; the rule is evaluated in memory
 * and only the profiles whose membership of the audience differs are re-evaluated for real ({@link
 * Memberships#reevaluate}, which publishes the joins and leaves under the profile's lock). For a
 * time-dependent rule, each profile's next check is brought forward to the rule's next moment.
 *
 * <p>Progress (cursor, evaluated, total) is in PostgreSQL, so {@code GET /v1/audiences/{id}} shows
 * it on any replica and a restarted service resumes after the last page done. What makes a repeat
 * harmless: a page run twice finds nothing left to change.
 */
@ApplicationScoped
public class BackfillRunner {

  private static final Logger LOG = Logger.getLogger(BackfillRunner.class);

  /** One page of a backfill, read in one session. */
  private record Page(
      Backfill backfill, Audience audience, List<ProfileSnapshot> snapshots, Set<String> members) {}

  private final Memberships memberships;
  private final AudienceRules rules;
  private final AudienceConfig config;

  public BackfillRunner(Memberships memberships, AudienceRules rules, AudienceConfig config) {
    this.memberships = memberships;
    this.rules = rules;
    this.config = config;
  }

  @Scheduled(
      every = "${cdp.audience.backfill-interval}",
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  Uni<Void> run() {
    return Panache.withSession(() -> Backfill.<Backfill>list("status", Backfill.RUNNING))
        .chain(
            running ->
                Multi.createFrom()
                    .iterable(running)
                    .onItem()
                    .transformToUniAndConcatenate(backfill -> runToEnd(backfill.audienceId))
                    .collect()
                    .last())
        .replaceWithVoid()
        .onFailure()
        .invoke(e -> LOG.warnf("Backfill stopped, the next run resumes it: %s", e.toString()))
        .onFailure()
        .recoverWithNull();
  }

  private Uni<Void> runToEnd(UUID audienceId) {
    return Uni.createFrom()
        .deferred(() -> nextPage(audienceId))
        .repeat()
        .whilst(more -> more)
        .collect()
        .last()
        .replaceWithVoid();
  }

  /** Runs the next page; true while pages are left. */
  private Uni<Boolean> nextPage(UUID audienceId) {
    return Panache.withSession(() -> read(audienceId))
        .chain(page -> page.map(this::evaluate).orElse(Uni.createFrom().item(false)));
  }

  private Uni<Optional<Page>> read(UUID audienceId) {
    return Backfill.<Backfill>findById(audienceId)
        .chain(
            backfill ->
                Audience.<Audience>findById(audienceId)
                    .chain(
                        audience -> {
                          // A deleted audience takes its backfill with it, in one transaction.
                          if (backfill == null
                              || audience == null
                              || !Backfill.RUNNING.equals(backfill.status)) {
                            return Uni.createFrom().item(Optional.<Page>empty());
                          }
                          return ProfileSnapshot.<ProfileSnapshot>find(
                                  "profileId > ?1", Sort.by("profileId"), backfill.cursor)
                              .page(0, config.backfillPage())
                              .list()
                              .chain(
                                  snapshots ->
                                      membersAmong(audienceId, snapshots)
                                          .map(
                                              members ->
                                                  Optional.of(
                                                      new Page(
                                                          backfill, audience, snapshots,
                                                          members))));
                        }));
  }

  private static Uni<Set<String>> membersAmong(UUID audienceId, List<ProfileSnapshot> snapshots) {
    if (snapshots.isEmpty()) {
      return Uni.createFrom().item(Set.of());
    }
    List<String> ids = snapshots.stream().map(s -> s.profileId).toList();
    return Membership.<Membership>list("audienceId = ?1 and profileId in ?2", audienceId, ids)
        .map(rows -> rows.stream().map(m -> m.profileId).collect(Collectors.toSet()));
  }

  private Uni<Boolean> evaluate(Page page) {
    Backfill backfill = page.backfill();
    List<ProfileSnapshot> snapshots = page.snapshots();
    boolean done = snapshots.size() < config.backfillPage();
    String last =
        snapshots.isEmpty() ? backfill.cursor : snapshots.get(snapshots.size() - 1).profileId;
    return Multi.createFrom()
        .iterable(snapshots)
        .onItem()
        .transformToUniAndConcatenate(snapshot -> evaluate(page, snapshot))
        .collect()
        .last()
        .chain(
            () ->
                Panache.withTransaction(
                    () ->
                        Backfill.advance(
                            backfill.audienceId,
                            backfill.generation,
                            backfill.cursor,
                            last,
                            snapshots.size(),
                            done)))
        // Not advanced: the rule changed again or another replica ran the page; read on from there.
        .map(advanced -> !done || advanced == 0);
  }

  /** Re-evaluates one profile if the audience's answer differs from its membership. */
  private Uni<Void> evaluate(Page page, ProfileSnapshot snapshot) {
    Map<String, Object> profile = ProfileVariables.of(snapshot.profile());
    Instant now = Instant.now();
    String rule = page.audience().rule;
    boolean member = page.members().contains(snapshot.profileId);
    if (rules.matches(rule, profile, now) != member) {
      return memberships.reevaluate(snapshot.profileId);
    }
    return rules
        .nextTimeChange(rule, profile, now, config.timeScanInterval())
        .filter(next -> snapshot.nextCheckAt == null || next.isBefore(snapshot.nextCheckAt))
        .map(
            next ->
                Panache.withTransaction(() -> ProfileSnapshot.checkBy(snapshot.profileId, next))
                    .replaceWithVoid())
        .orElse(Uni.createFrom().voidItem());
  }
}
