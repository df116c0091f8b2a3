package io.cdp.audience.messaging;

import io.cdp.audience.AudienceRules;
import io.cdp.audience.Transitions;
import io.cdp.audience.store.Audience;
import io.cdp.audience.store.Membership;
import io.cdp.audience.store.MembershipCache;
import io.cdp.audience.store.MembershipSet;
import io.cdp.audience.store.ProfileIdentifier;
import io.cdp.audience.store.ProfileState;
import io.cdp.common.ProfileVariables;
import io.cdp.common.VertxContexts;
import io.cdp.common.messaging.KafkaMessages;
import io.cdp.contracts.ProtoTime;
import io.cdp.contracts.audience.v1.MembershipTransition;
import io.cdp.contracts.audience.v1.TransitionKind;
import io.cdp.contracts.profile.v1.ProfileChange;
import io.opentelemetry.instrumentation.annotations.WithSpan;
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
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Turns profile changes into membership transitions: every audience is evaluated against the
 * snapshot, compared with the profile's memberships, and each join or leave is published to {@code
 * cdp.audiences.membership} keyed by profile id.
 *
 * <p>Idempotency: a change whose version is at or below the profile's last applied version
 * (PostgreSQL, {@link ProfileState}) is skipped, so a redelivered change publishes nothing.
 * Transitions are published before the transaction that records them commits; if the commit then
 * fails, the change is redelivered and publishes the same transitions again with the same
 * deterministic {@code transition_id}, which consumers use to drop the duplicate.
 */
@ApplicationScoped
public class ProfileChangeConsumer {

  private static final Logger LOG = Logger.getLogger(ProfileChangeConsumer.class);

  /** What a change did, for the cache update after commit. */
  private record Applied(String profileId, long version, boolean deleted, Set<String> members) {}

  private final AudienceRules rules;
  private final MembershipCache cache;
  private final MutinyEmitter<MembershipTransition> transitions;

  public ProfileChangeConsumer(
      AudienceRules rules,
      MembershipCache cache,
      @Channel("audiences-membership") MutinyEmitter<MembershipTransition> transitions) {
    this.rules = rules;
    this.cache = cache;
    this.transitions = transitions;
  }

  @Incoming("profiles-changes")
  @WithSpan
  public Uni<Void> consume(ProfileChange change) {
    if (change.getProfileId().isEmpty()) {
      return Uni.createFrom().voidItem();
    }
    return cache
        .get(change.getProfileId())
        .onFailure()
        .recoverWithNull() // the cache is an optimisation: PostgreSQL answers without it
        .chain(cached -> Panache.withTransaction(() -> apply(change, cached)))
        .chain(applied -> applied == null ? Uni.createFrom().voidItem() : remember(applied));
  }

  private Uni<Applied> apply(ProfileChange change, MembershipSet cached) {
    String profileId = change.getProfileId();
    long version = change.getVersion();
    return ProfileState.<ProfileState>findById(profileId)
        .chain(
            state -> {
              if (state != null && version <= state.version) {
                LOG.debugf(
                    "Skipping %s v%d: v%d applied already", profileId, version, state.version);
                return Uni.createFrom().nullItem();
              }
              return Audience.<Audience>listAll()
                  .chain(
                      audiences ->
                          currentMembers(profileId, state, cached)
                              .chain(current -> transition(change, state, audiences, current)));
            });
  }

  /** From the cache when it reflects the version PostgreSQL last recorded, else from PostgreSQL. */
  private static Uni<Set<String>> currentMembers(
      String profileId, ProfileState state, MembershipSet cached) {
    if (state == null) {
      return Uni.createFrom().item(Set.of());
    }
    if (cached != null && cached.version() == state.version) {
      return Uni.createFrom().item(Set.copyOf(cached.audienceIds()));
    }
    return Membership.<Membership>list("profileId", profileId)
        .map(rows -> rows.stream().map(m -> m.audienceId.toString()).collect(Collectors.toSet()));
  }

  private Uni<Applied> transition(
      ProfileChange change, ProfileState state, List<Audience> audiences, Set<String> current) {
    String profileId = change.getProfileId();
    long version = change.getVersion();
    Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
    Map<String, Audience> byId = new LinkedHashMap<>();
    audiences.forEach(a -> byId.put(a.id.toString(), a));

    // Memberships of audiences deleted since are dropped silently with their rows.
    Set<String> members = new TreeSet<>(current);
    members.retainAll(byId.keySet());
    Set<String> matching = change.getDeleted() ? Set.of() : matching(audiences, change, now);
    Transitions.Diff diff = Transitions.diff(members, matching);

    ProfileState next = state == null ? new ProfileState() : state;
    next.profileId = profileId;
    next.version = version;
    next.deleted = change.getDeleted();
    List<String> identifiers =
        change.getDeleted() ? List.of() : change.getSnapshot().getIdentifiersList();
    Instant occurredAt =
        change.getSnapshot().hasUpdatedAt()
            ? ProtoTime.instant(change.getSnapshot().getUpdatedAt())
            : now;

    return recordMemberships(profileId, version, diff, now)
        .chain(() -> state == null ? next.persist() : Uni.createFrom().item(next))
        .chain(() -> recordIdentifiers(profileId, identifiers))
        .chain(() -> publish(profileId, version, diff, byId, occurredAt))
        .replaceWith(new Applied(profileId, version, change.getDeleted(), matching));
  }

  private Set<String> matching(List<Audience> audiences, ProfileChange change, Instant now) {
    Map<String, Object> profile = ProfileVariables.of(change.getSnapshot());
    Set<String> matching = new TreeSet<>();
    for (Audience audience : audiences) {
      try {
        if (rules.matches(audience.rule, profile, now)) {
          matching.add(audience.id.toString());
        }
      } catch (AudienceRules.InvalidRuleException e) {
        // Rules compile at save time; this only happens if the CEL environment changed since.
        LOG.warnf(
            "Audience %s has a rule that no longer compiles: %s", audience.id, e.getMessage());
      }
    }
    return matching;
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

  /** Leaves first, then joins, in audience-id order: one profile's transitions stay in order. */
  private Uni<Void> publish(
      String profileId,
      long version,
      Transitions.Diff diff,
      Map<String, Audience> audiences,
      Instant occurredAt) {
    List<Uni<Void>> sends = new ArrayList<>();
    diff.left()
        .forEach(
            id ->
                sends.add(
                    send(profileId, version, audiences.get(id), TransitionKind.LEFT, occurredAt)));
    diff.joined()
        .forEach(
            id ->
                sends.add(
                    send(
                        profileId, version, audiences.get(id), TransitionKind.JOINED, occurredAt)));
    if (sends.isEmpty()) {
      return Uni.createFrom().voidItem();
    }
    return VertxContexts.onCallerContext(Uni.join().all(sends).andFailFast().replaceWithVoid());
  }

  private Uni<Void> send(
      String profileId, long version, Audience audience, TransitionKind kind, Instant at) {
    String audienceId = audience.id.toString();
    MembershipTransition transition =
        MembershipTransition.newBuilder()
            .setTransitionId(Transitions.transitionId(profileId, audienceId, version, kind))
            .setProfileId(profileId)
            .setAudienceId(audienceId)
            .setAudienceName(audience.name)
            .setKind(kind)
            .setProfileVersion(version)
            .setOccurredAt(ProtoTime.timestamp(at))
            .build();
    return transitions.sendMessage(KafkaMessages.keyed(profileId, transition));
  }

  /** After commit: the cache now holds what PostgreSQL holds. A failed write only costs a query. */
  private Uni<Void> remember(Applied applied) {
    Uni<Void> write =
        applied.deleted()
            ? cache.remove(applied.profileId())
            : cache.put(applied.profileId(), applied.version(), applied.members());
    return write
        .onFailure()
        .invoke(e -> LOG.warnf("Could not update the memberships cache: %s", e.toString()))
        .onFailure()
        .recoverWithNull();
  }
}
