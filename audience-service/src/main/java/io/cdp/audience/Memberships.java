package io.cdp.audience;

import io.cdp.audience.config.AudienceConfig;
import io.cdp.audience.store.Audience;
import io.cdp.audience.store.Membership;
import io.cdp.audience.store.MembershipCache;
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
import io.cdp.contracts.profile.v1.Profile;
import io.cdp.contracts.profile.v1.ProfileChange;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Collectors;
import org.eclipse.microprofile.reactive.messaging.Channel;
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

  private final AudienceRules rules;
  private final MembershipCache cache;
  private final AudienceConfig config;
  private final MutinyEmitter<MembershipTransition> transitions;

  /** Rules evaluated against a profile, whatever started it: what the attribute index saves. */
  private final Counter evaluations;

  public Memberships(
      AudienceRules rules,
      MembershipCache cache,
      AudienceConfig config,
      @Channel("audiences-membership") MutinyEmitter<MembershipTransition> transitions,
      MeterRegistry metrics) {
    this.rules = rules;
    this.cache = cache;
    this.config = config;
    this.transitions = transitions;
    this.evaluations =
        Counter.builder("cdp.audience.evaluations")
            .description("Audience rules evaluated against a profile")
            .register(metrics);
  }

  /** Applies a profile change: stores its snapshot and identifiers, publishes what it changed. */
  public Uni<Void> apply(ProfileChange change) {
    String profileId = change.getProfileId();
    return cachedMembers(profileId)
        .chain(
            cached ->
                Panache.withTransaction(
                    () ->
                        ProfileLocks.lock(profileId)
                            .chain(() -> applyLocked(change, cached))
                            .call(this::remember)))
        .replaceWithVoid();
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
                            .call(this::remember)))
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

  private Uni<Applied> applyLocked(ProfileChange change, MembershipSet cached) {
    String profileId = change.getProfileId();
    long version = change.getVersion();
    return ProfileState.<ProfileState>findById(profileId)
        .chain(
            state -> {
              if (state != null && (state.erased || version <= state.version)) {
                LOG.debugf(
                    "Skipping %s v%d: v%d applied already or erased",
                    profileId, version, state.version);
                return Uni.createFrom().nullItem();
              }
              return Audience.<Audience>listAll()
                  .chain(
                      audiences ->
                          currentMembers(profileId, state, cached)
                              .chain(current -> applyChange(change, state, audiences, current)));
            });
  }

  private Uni<Applied> applyChange(
      ProfileChange change, ProfileState state, List<Audience> audiences, Set<String> current) {
    String profileId = change.getProfileId();
    long version = change.getVersion();
    boolean deleted = change.getDeleted();
    Instant now = now();
    Evaluation evaluation =
        deleted
            ? new Evaluation(Set.of(), null)
            : evaluateChange(change, state == null, audiences, current, now);

    ProfileState next = state == null ? new ProfileState() : state;
    next.profileId = profileId;
    next.version = version;
    next.deleted = deleted;
    List<String> identifiers = deleted ? List.of() : change.getSnapshot().getIdentifiersList();
    Instant occurredAt =
        change.getSnapshot().hasUpdatedAt()
            ? ProtoTime.instant(change.getSnapshot().getUpdatedAt())
            : now;

    return (state == null ? next.persist() : Uni.createFrom().item(next))
        .chain(
            () ->
                deleted
                    ? ProfileSnapshot.delete("profileId", profileId).replaceWithVoid()
                    : recordSnapshot(profileId, version, change.getSnapshot(), evaluation))
        .chain(() -> recordIdentifiers(profileId, identifiers))
        .chain(
            () ->
                settle(
                        profileId,
                        version,
                        0,
                        audiences,
                        current,
                        evaluation,
                        deleted ? null : visitBoundary(change),
                        occurredAt,
                        now)
                    .replaceWith(
                        new Applied(
                            profileId, version, next.round, deleted, evaluation.matching())));
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
                          Set<String> members = liveMembers(current, audiences);
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
        Transitions.diff(liveMembers(current, audiences), evaluation.matching());
    Set<String> inAudience = visitBoundary == null ? Set.of() : evaluation.matching();
    return recordMemberships(profileId, version, diff, now)
        .chain(
            () ->
                publish(
                    profileId, version, round, diff, visitBoundary, inAudience, byId, occurredAt));
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
  private static Set<String> liveMembers(Set<String> current, List<Audience> audiences) {
    Set<String> members = new TreeSet<>(current);
    members.retainAll(audiences.stream().map(a -> a.id.toString()).collect(Collectors.toSet()));
    return members;
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

  private static Uni<Void> recordSnapshot(
      String profileId, long version, Profile snapshot, Evaluation evaluation) {
    return ProfileSnapshot.<ProfileSnapshot>findById(profileId)
        .chain(
            found -> {
              ProfileSnapshot row = found == null ? new ProfileSnapshot() : found;
              row.profileId = profileId;
              row.version = version;
              row.snapshot = snapshot.toByteArray();
              row.nextCheckAt = evaluation.nextCheckAt();
              return found == null ? row.persist().replaceWithVoid() : Uni.createFrom().voidItem();
            });
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

  /** The identifiers of the latest snapshot, each pointing at this profile only. */
  private static Uni<Void> recordIdentifiers(String profileId, List<String> identifiers) {
    List<String> distinct = identifiers.stream().distinct().toList();
    Uni<Long> cleared =
        distinct.isEmpty()
            ? ProfileIdentifier.delete("profileId", profileId)
            : ProfileIdentifier.delete("profileId = ?1 or identifier in ?2", profileId, distinct);
    if (distinct.isEmpty()) {
      return cleared.replaceWithVoid();
    }
    return cleared.chain(
        () ->
            ProfileIdentifier.persist(
                distinct.stream()
                    .map(
                        identifier -> {
                          ProfileIdentifier row = new ProfileIdentifier();
                          row.identifier = identifier;
                          row.profileId = profileId;
                          return row;
                        })
                    .toList()));
  }

  /**
   * Leaves first, then joins, then visit boundaries, each in audience-id order: one profile's
   * transitions stay in order.
   */
  private Uni<Void> publish(
      String profileId,
      long version,
      long round,
      Transitions.Diff diff,
      TransitionKind visitBoundary,
      Set<String> inAudience,
      Map<String, Audience> audiences,
      Instant occurredAt) {
    List<Uni<Void>> sends = new ArrayList<>();
    for (String id : diff.left()) {
      sends.add(
          send(profileId, version, round, audiences.get(id), TransitionKind.LEFT, occurredAt));
    }
    for (String id : diff.joined()) {
      sends.add(
          send(profileId, version, round, audiences.get(id), TransitionKind.JOINED, occurredAt));
    }
    for (String id : inAudience) {
      sends.add(send(profileId, version, round, audiences.get(id), visitBoundary, occurredAt));
    }
    if (sends.isEmpty()) {
      return Uni.createFrom().voidItem();
    }
    return VertxContexts.onCallerContext(Uni.join().all(sends).andFailFast().replaceWithVoid());
  }

  private Uni<Void> send(
      String profileId,
      long version,
      long round,
      Audience audience,
      TransitionKind kind,
      Instant at) {
    String audienceId = audience.id.toString();
    MembershipTransition transition =
        MembershipTransition.newBuilder()
            .setTransitionId(Transitions.transitionId(profileId, audienceId, version, round, kind))
            .setProfileId(profileId)
            .setAudienceId(audienceId)
            .setAudienceName(audience.name)
            .setKind(kind)
            .setProfileVersion(version)
            .setOccurredAt(ProtoTime.timestamp(at))
            .build();
    return transitions.sendMessage(KafkaMessages.keyed(profileId, transition));
  }

  /**
   * The cache gets what PostgreSQL is about to hold, before the commit: if the commit fails, the
   * entry's version and round are not the ones PostgreSQL has, so it is not trusted. A failed write
   * only costs a query.
   */
  private Uni<Void> remember(Applied applied) {
    if (applied == null) {
      return Uni.createFrom().voidItem();
    }
    Uni<Void> write =
        applied.gone()
            ? cache.remove(applied.profileId())
            : cache.put(applied.profileId(), applied.version(), applied.round(), applied.members());
    return write
        .onFailure()
        .invoke(e -> LOG.warnf("Could not update the memberships cache: %s", e.toString()))
        .onFailure()
        .recoverWithNull();
  }

  private static Instant now() {
    return Instant.now().truncatedTo(ChronoUnit.MICROS);
  }
}
