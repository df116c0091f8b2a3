package io.cdp.audience;

import io.cdp.audience.config.AudienceConfig;
import io.cdp.audience.store.Audience;
import io.cdp.audience.store.Membership;
import io.cdp.audience.store.MembershipCache;
import io.cdp.audience.store.MembershipRows;
import io.cdp.audience.store.MembershipSet;
import io.cdp.audience.store.ProfileIdentifier;
import io.cdp.audience.store.ProfileLocks;
import io.cdp.audience.store.ProfileSnapshot;
import io.cdp.audience.store.ProfileState;
import io.cdp.common.ProfileVariables;
import io.cdp.common.VertxContexts;
import io.cdp.common.messaging.KafkaMessages;
import io.cdp.contracts.ProtoTime;
import io.cdp.contracts.audience.v1.MembershipTransition;
import io.cdp.contracts.audience.v1.TransitionKind;
import io.cdp.contracts.profile.v1.ProfileChange;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.context.Context;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.TracingMetadata;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Collectors;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * How a profile's memberships change, in one place: every audience is evaluated against the
 * profile's snapshot, compared with its memberships, and each join or leave is recorded in
 * PostgreSQL and published to {@code cdp.audiences.membership} keyed by profile id. Three things
 * start that: a profile change ({@link #apply}), time passing or a backfill ({@link #reevaluate}),
 * and an erasure ({@link #erase}), which drops everything without publishing.
 *
 * <p>Each runs in one transaction that first locks the profile ({@link ProfileLocks}), so they
 * never interleave for one profile. Idempotency: a change at or below the profile's last applied
 * version is skipped; a re-evaluation publishes only what differs from the recorded memberships.
 * Transitions are published before the transaction commits; if the commit then fails, the retry
 * publishes the same transitions with the same deterministic {@code transition_id} ({@link
 * Transitions}), which consumers use to drop the duplicate.
 */
@ApplicationScoped
public class Memberships {

  private static final Logger LOG = Logger.getLogger(Memberships.class);

  /** What a transaction leaves, for the cache; null when nothing changed. */
  private record Applied(
      String profileId, long version, long round, boolean gone, Set<String> members) {}

  /** The audiences a profile matches now, and when time alone can next change that. */
  private record Evaluation(Set<String> matching, Instant nextCheckAt) {}

  // About a minute of backoff: longer means PostgreSQL is down, and the poll is redelivered.
  private static final int ATTEMPTS = 15;

  private final AudienceRules rules;
  private final MembershipCache cache;
  private final Pool pool;
  private final AudienceConfig config;
  private final MutinyEmitter<MembershipTransition> transitions;

  /** Rules evaluated against a profile, whatever started it: what the attribute index saves. */
  private final Counter evaluations;

  public Memberships(
      AudienceRules rules,
      MembershipCache cache,
      Pool pool,
      AudienceConfig config,
      @Channel("audiences-membership") MutinyEmitter<MembershipTransition> transitions,
      MeterRegistry metrics) {
    this.rules = rules;
    this.cache = cache;
    this.pool = pool;
    this.config = config;
    this.transitions = transitions;
    this.evaluations =
        Counter.builder("cdp.audience.evaluations")
            .description("Audience rules evaluated against a profile")
            .register(metrics);
  }

  /** A profile change and the trace it continues. */
  public record Change(ProfileChange change, Context trace) {}

  /**
   * Applies a poll's profile changes: stores what they leave (versions, snapshots, identifiers,
   * memberships) and publishes their transitions. The whole poll is one transaction of a few
   * statements whatever the number of changes ({@link MembershipRows}); several changes of one
   * profile are evaluated one after the other in memory, each against what the one before left, so
   * they publish what applying them one by one would.
   */
  public Uni<Void> applyAll(List<Change> changes) {
    if (changes.isEmpty()) {
      return Uni.createFrom().voidItem();
    }
    Set<String> profileIds = new TreeSet<>();
    changes.forEach(c -> profileIds.add(c.change().getProfileId()));
    return cache
        .getAll(profileIds)
        .onFailure()
        .recoverWithItem(Map.of()) // the cache is an optimisation: PostgreSQL answers without it
        .chain(
            cached ->
                Panache.withSession(() -> Audience.<Audience>listAll())
                    .chain(
                        audiences ->
                            pool.withTransaction(
                                    connection ->
                                        applyLocked(
                                            connection, profileIds, changes, audiences, cached))
                                .onFailure()
                                .invoke(e -> LOG.warnf("Applying a poll failed, retrying: %s", e))
                                .onFailure()
                                .retry()
                                .withBackOff(Duration.ofMillis(50), Duration.ofSeconds(5))
                                .atMost(ATTEMPTS)))
        .call(this::remember)
        .replaceWithVoid();
  }

  /** Where a profile stands while a poll's changes are folded in: the last one applied. */
  private static final class Folded {
    final String profileId;
    final Set<String> initial;
    final long round;
    boolean known;
    Set<String> members;
    ProfileChange last;
    Evaluation evaluation;

    Folded(String profileId, MembershipRows.State state, Set<String> members) {
      this.profileId = profileId;
      this.known = state != null;
      this.round = state == null ? 0 : state.round();
      this.initial = members;
      this.members = members;
    }
  }

  private Uni<List<Applied>> applyLocked(
      SqlConnection connection,
      Set<String> profileIds,
      List<Change> changes,
      List<Audience> audiences,
      Map<String, MembershipSet> cached) {
    return MembershipRows.lock(connection, profileIds)
        .chain(() -> MembershipRows.states(connection, profileIds))
        .chain(
            states -> {
              Map<String, Set<String>> members = new HashMap<>();
              List<String> unknown = new ArrayList<>();
              for (String profileId : profileIds) {
                MembershipRows.State state = states.get(profileId);
                MembershipSet hot = cached.get(profileId);
                if (state == null || state.erased()) {
                  members.put(profileId, Set.of());
                } else if (hot != null
                    && hot.version() == state.version()
                    && hot.round() == state.round()) {
                  members.put(profileId, Set.copyOf(hot.audienceIds()));
                } else {
                  unknown.add(profileId);
                }
              }
              return MembershipRows.members(connection, unknown)
                  .chain(
                      rows -> {
                        unknown.forEach(p -> members.put(p, rows.getOrDefault(p, Set.of())));
                        return fold(connection, changes, audiences, states, members);
                      });
            });
  }

  /** Evaluates the changes in poll order, records what they leave and publishes transitions. */
  private Uni<List<Applied>> fold(
      SqlConnection connection,
      List<Change> changes,
      List<Audience> audiences,
      Map<String, MembershipRows.State> states,
      Map<String, Set<String>> members) {
    Instant now = now();
    Map<String, Audience> byId = new LinkedHashMap<>();
    audiences.forEach(a -> byId.put(a.id.toString(), a));
    Map<String, Folded> profiles = new LinkedHashMap<>();
    List<Message<MembershipTransition>> messages = new ArrayList<>();
    for (Change c : changes) {
      ProfileChange change = c.change();
      String profileId = change.getProfileId();
      MembershipRows.State state = states.get(profileId);
      Folded profile =
          profiles.computeIfAbsent(profileId, p -> new Folded(p, state, members.get(p)));
      long applied =
          profile.last != null ? profile.last.getVersion() : state == null ? 0 : state.version();
      if ((state != null && state.erased()) || (profile.known && change.getVersion() <= applied)) {
        LOG.debugf("Skipping %s v%d: applied already or erased", profileId, change.getVersion());
        continue;
      }
      boolean deleted = change.getDeleted();
      Evaluation evaluation =
          deleted
              ? new Evaluation(Set.of(), null)
              : evaluateChange(change, !profile.known, audiences, profile.members, now);
      Transitions.Diff diff =
          Transitions.diff(liveMembers(profile.members, byId.keySet()), evaluation.matching());
      TransitionKind visitBoundary = deleted ? null : visitBoundary(change);
      Instant occurredAt =
          change.getSnapshot().hasUpdatedAt()
              ? ProtoTime.instant(change.getSnapshot().getUpdatedAt())
              : now;
      for (MembershipTransition transition :
          transitions(
              profileId,
              change.getVersion(),
              0,
              diff,
              visitBoundary,
              visitBoundary == null ? Set.of() : evaluation.matching(),
              byId,
              occurredAt)) {
        messages.add(
            KafkaMessages.keyed(profileId, transition)
                .addMetadata(TracingMetadata.withCurrent(c.trace())));
      }
      profile.known = true;
      profile.last = change;
      profile.evaluation = evaluation;
      profile.members = evaluation.matching();
    }

    List<MembershipRows.Write> writes = new ArrayList<>();
    List<Applied> applied = new ArrayList<>();
    for (Folded profile : profiles.values()) {
      if (profile.last == null) {
        continue; // nothing new for it in this poll
      }
      ProfileChange last = profile.last;
      boolean deleted = last.getDeleted();
      Transitions.Diff net =
          Transitions.diff(liveMembers(profile.initial, byId.keySet()), profile.members);
      writes.add(
          new MembershipRows.Write(
              profile.profileId,
              last.getVersion(),
              deleted,
              deleted ? null : last.getSnapshot().toByteArray(),
              profile.evaluation.nextCheckAt(),
              deleted ? List.of() : last.getSnapshot().getIdentifiersList(),
              uuids(net.joined()),
              uuids(net.left())));
      applied.add(
          new Applied(
              profile.profileId, last.getVersion(), profile.round, deleted, profile.members));
    }
    if (writes.isEmpty()) {
      return Uni.createFrom().item(List.of());
    }
    return MembershipRows.save(connection, writes, now)
        .chain(() -> send(messages))
        .replaceWith(applied);
  }

  private static Set<UUID> uuids(Set<String> ids) {
    return ids.stream().map(UUID::fromString).collect(Collectors.toCollection(TreeSet::new));
  }

  /**
   * Evaluates every audience again against the profile's stored snapshot, as of now, and publishes
   * what changed: for time passing and for backfills. Nothing for an unknown or deleted profile.
   */
  public Uni<Void> reevaluate(String profileId) {
    return cachedMembers(profileId)
        .chain(
            cached ->
                Panache.withTransaction(
                    () ->
                        ProfileLocks.lock(profileId)
                            .chain(() -> reevaluateLocked(profileId, cached))
                            .call(
                                applied ->
                                    remember(applied == null ? List.of() : List.of(applied)))))
        .replaceWithVoid();
  }

  /**
   * Erases what is held for a profile: memberships, identifiers, snapshot, the hot copy. Publishes
   * nothing (no {@code left}: nothing about the person may flow any more) and marks the profile
   * erased so that no later change brings it back. Erasing twice, or an unknown profile, is fine.
   */
  public Uni<Void> erase(String profileId) {
    return Panache.withTransaction(
        () ->
            ProfileLocks.lock(profileId)
                .chain(() -> Membership.delete("profileId", profileId))
                .chain(() -> ProfileIdentifier.delete("profileId", profileId))
                .chain(() -> ProfileSnapshot.delete("profileId", profileId))
                .chain(() -> ProfileState.<ProfileState>findById(profileId))
                .chain(
                    state -> {
                      ProfileState erased = state == null ? new ProfileState() : state;
                      erased.profileId = profileId;
                      erased.deleted = true;
                      erased.erased = true;
                      return state == null ? erased.persist() : Uni.createFrom().item(erased);
                    })
                .chain(() -> cache.remove(profileId)));
  }

  private Uni<Applied> reevaluateLocked(String profileId, MembershipSet cached) {
    return ProfileState.<ProfileState>findById(profileId)
        .chain(
            state ->
                state == null || state.deleted
                    ? Uni.createFrom().nullItem()
                    : ProfileSnapshot.<ProfileSnapshot>findById(profileId)
                        .chain(
                            snapshot ->
                                snapshot == null
                                    ? Uni.createFrom().nullItem()
                                    : reevaluateSnapshot(state, snapshot, cached)));
  }

  private Uni<Applied> reevaluateSnapshot(
      ProfileState state, ProfileSnapshot snapshot, MembershipSet cached) {
    Map<String, Object> profile = ProfileVariables.of(snapshot.profile());
    Instant now = now();
    return Audience.<Audience>listAll()
        .chain(
            audiences ->
                currentMembers(state.profileId, state, cached)
                    .chain(
                        current -> {
                          Evaluation evaluation = evaluate(audiences, profile, now);
                          snapshot.nextCheckAt = evaluation.nextCheckAt();
                          Set<String> members = liveMembers(current, ids(audiences));
                          if (Transitions.diff(members, evaluation.matching()).isEmpty()) {
                            return Uni.createFrom().nullItem();
                          }
                          state.round++;
                          return settle(
                                  state.profileId,
                                  state.version,
                                  state.round,
                                  audiences,
                                  current,
                                  evaluation,
                                  null,
                                  now,
                                  now)
                              .replaceWith(
                                  new Applied(
                                      state.profileId,
                                      state.version,
                                      state.round,
                                      false,
                                      evaluation.matching()));
                        }));
  }

  /**
   * Records and publishes the difference between the memberships and the matching audiences; at a
   * visit boundary ({@code visitBoundary} not null), also that the profile is in each audience it
   * matches.
   */
  private Uni<Void> settle(
      String profileId,
      long version,
      long round,
      List<Audience> audiences,
      Set<String> current,
      Evaluation evaluation,
      TransitionKind visitBoundary,
      Instant occurredAt,
      Instant now) {
    Map<String, Audience> byId = new LinkedHashMap<>();
    audiences.forEach(a -> byId.put(a.id.toString(), a));
    Transitions.Diff diff =
        Transitions.diff(liveMembers(current, byId.keySet()), evaluation.matching());
    Set<String> inAudience = visitBoundary == null ? Set.of() : evaluation.matching();
    return recordMemberships(profileId, version, diff, now)
        .chain(
            () ->
                send(
                    transitions(
                            profileId,
                            version,
                            round,
                            diff,
                            visitBoundary,
                            inAudience,
                            byId,
                            occurredAt)
                        .stream()
                        .map(t -> KafkaMessages.keyed(profileId, t))
                        .toList()));
  }

  /** The visit boundary a change marks, or null. */
  private static TransitionKind visitBoundary(ProfileChange change) {
    return switch (change.getVisitTransition()) {
      case VISIT_STARTED -> TransitionKind.IN_AUDIENCE_AT_VISIT_START;
      case VISIT_ENDED -> TransitionKind.IN_AUDIENCE_AT_VISIT_END;
      default -> null;
    };
  }

  /** Memberships of audiences deleted since are dropped silently with their rows. */
  private static Set<String> liveMembers(Set<String> current, Set<String> audienceIds) {
    Set<String> members = new TreeSet<>(current);
    members.retainAll(audienceIds);
    return members;
  }

  private static Set<String> ids(List<Audience> audiences) {
    return audiences.stream().map(a -> a.id.toString()).collect(Collectors.toSet());
  }

  /**
   * Evaluates the audiences a change can affect ({@link AudienceRules#affectedBy}): all of them for
   * a profile's first change or a change that does not say what changed; the others keep their
   * memberships as they are.
   */
  private Evaluation evaluateChange(
      ProfileChange change,
      boolean first,
      List<Audience> audiences,
      Set<String> current,
      Instant now) {
    List<String> changed = change.getChangedList();
    List<Audience> affected = new ArrayList<>();
    Set<String> kept = new TreeSet<>();
    for (Audience audience : audiences) {
      if (first || changed.isEmpty() || affectedBy(audience, changed)) {
        affected.add(audience);
      } else if (current.contains(audience.id.toString())) {
        kept.add(audience.id.toString());
      }
    }
    Evaluation evaluation = evaluate(affected, ProfileVariables.of(change.getSnapshot()), now);
    kept.addAll(evaluation.matching());
    return new Evaluation(kept, evaluation.nextCheckAt());
  }

  private boolean affectedBy(Audience audience, List<String> changed) {
    try {
      return rules.affectedBy(audience.rule, changed);
    } catch (AudienceRules.InvalidRuleException e) {
      return true; // evaluate() logs it
    }
  }

  private Evaluation evaluate(List<Audience> audiences, Map<String, Object> profile, Instant now) {
    evaluations.increment(audiences.size());
    Set<String> matching = new TreeSet<>();
    Instant nextCheckAt = null;
    for (Audience audience : audiences) {
      try {
        if (rules.matches(audience.rule, profile, now)) {
          matching.add(audience.id.toString());
        }
        Instant next =
            rules
                .nextTimeChange(audience.rule, profile, now, config.timeScanInterval())
                .orElse(null);
        if (next != null && (nextCheckAt == null || next.isBefore(nextCheckAt))) {
          nextCheckAt = next;
        }
      } catch (AudienceRules.InvalidRuleException e) {
        // Rules compile at save time; this only happens if the CEL environment changed since.
        LOG.warnf(
            "Audience %s has a rule that no longer compiles: %s", audience.id, e.getMessage());
      }
    }
    return new Evaluation(matching, nextCheckAt);
  }

  /** From the cache when it reflects the state PostgreSQL last recorded, else from PostgreSQL. */
  private static Uni<Set<String>> currentMembers(
      String profileId, ProfileState state, MembershipSet cached) {
    if (state == null) {
      return Uni.createFrom().item(Set.of());
    }
    if (cached != null && cached.version() == state.version && cached.round() == state.round) {
      return Uni.createFrom().item(Set.copyOf(cached.audienceIds()));
    }
    return Membership.<Membership>list("profileId", profileId)
        .map(rows -> rows.stream().map(m -> m.audienceId.toString()).collect(Collectors.toSet()));
  }

  private Uni<MembershipSet> cachedMembers(String profileId) {
    return cache
        .get(profileId)
        .onFailure()
        .recoverWithNull(); // the cache is an optimisation: PostgreSQL answers without it
  }

  private static Uni<Void> recordMemberships(
      String profileId, long version, Transitions.Diff diff, Instant now) {
    List<Membership> joined = new ArrayList<>();
    for (String audienceId : diff.joined()) {
      Membership m = new Membership();
      m.profileId = profileId;
      m.audienceId = UUID.fromString(audienceId);
      m.since = now;
      m.lastVersion = version;
      joined.add(m);
    }
    List<UUID> left = diff.left().stream().map(UUID::fromString).toList();
    Uni<Long> removed =
        left.isEmpty()
            ? Uni.createFrom().item(0L)
            : Membership.delete("profileId = ?1 and audienceId in ?2", profileId, left);
    return joined.isEmpty()
        ? removed.replaceWithVoid()
        : removed.chain(() -> Membership.persist(joined));
  }

  /**
   * Leaves first, then joins, then visit boundaries, each in audience-id order: one profile's
   * transitions stay in order.
   */
  private static List<MembershipTransition> transitions(
      String profileId,
      long version,
      long round,
      Transitions.Diff diff,
      TransitionKind visitBoundary,
      Set<String> inAudience,
      Map<String, Audience> audiences,
      Instant occurredAt) {
    List<MembershipTransition> all = new ArrayList<>();
    for (String id : diff.left()) {
      all.add(
          transition(
              profileId, version, round, audiences.get(id), TransitionKind.LEFT, occurredAt));
    }
    for (String id : diff.joined()) {
      all.add(
          transition(
              profileId, version, round, audiences.get(id), TransitionKind.JOINED, occurredAt));
    }
    for (String id : inAudience) {
      all.add(transition(profileId, version, round, audiences.get(id), visitBoundary, occurredAt));
    }
    return all;
  }

  private static MembershipTransition transition(
      String profileId,
      long version,
      long round,
      Audience audience,
      TransitionKind kind,
      Instant at) {
    String audienceId = audience.id.toString();
    return MembershipTransition.newBuilder()
        .setTransitionId(Transitions.transitionId(profileId, audienceId, version, round, kind))
        .setProfileId(profileId)
        .setAudienceId(audienceId)
        .setAudienceName(audience.name)
        .setKind(kind)
        .setProfileVersion(version)
        .setOccurredAt(ProtoTime.timestamp(at))
        .build();
  }

  /** Sends the transitions (subscribed in order: the producer keeps a partition's order). */
  private Uni<Void> send(List<Message<MembershipTransition>> messages) {
    if (messages.isEmpty()) {
      return Uni.createFrom().voidItem();
    }
    List<Uni<Void>> sends = messages.stream().map(transitions::sendMessage).toList();
    return VertxContexts.onCallerContext(Uni.join().all(sends).andFailFast().replaceWithVoid());
  }

  /**
   * The cache gets what a transaction records: a poll's once committed, a re-evaluation's just
   * before its commit. A failed write or commit only costs a query: an entry whose version and
   * round PostgreSQL does not hold is not trusted.
   */
  private Uni<Void> remember(List<Applied> applied) {
    Map<String, MembershipSet> sets = new HashMap<>();
    List<Uni<Void>> writes = new ArrayList<>();
    for (Applied a : applied) {
      if (a.gone()) {
        writes.add(cache.remove(a.profileId()));
      } else {
        sets.put(
            a.profileId(),
            new MembershipSet(a.version(), a.members().stream().sorted().toList(), a.round()));
      }
    }
    if (!sets.isEmpty()) {
      writes.add(cache.putAll(sets));
    }
    if (writes.isEmpty()) {
      return Uni.createFrom().voidItem();
    }
    return Uni.join()
        .all(writes)
        .andCollectFailures()
        .replaceWithVoid()
        .onFailure()
        .invoke(e -> LOG.warnf("Could not update the memberships cache: %s", e.toString()))
        .onFailure()
        .recoverWithNull();
  }

  private static Instant now() {
    return Instant.now().truncatedTo(ChronoUnit.MICROS);
  }
}
