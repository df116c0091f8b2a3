package io.cdp.profile.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cdp.profile.LiveProfile;
import io.cdp.profile.ProfileUpdate;
import io.cdp.profile.Visit;
import io.quarkus.infinispan.client.Remote;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.infinispan.client.hotrod.Flag;
import org.infinispan.client.hotrod.MetadataValue;
import org.infinispan.client.hotrod.RemoteCache;
import org.infinispan.commons.util.CloseableIterator;

/**
 * The live profiles in Infinispan: {@code profiles} (profile id to profile), {@code
 * profile-identifiers} (type:value to profile id, so a profile is found by any identifier), {@code
 * profile-merges} (merged profile id to the profile it was folded into) and {@code open-visits}
 * (profile id to its visit's last event time, epoch microseconds: the visit scan reads only these).
 *
 * <p>The caches hold nothing of their own: PostgreSQL ({@link ProfileRows}) is the system of
 * record, written behind the caches in batches by the consumers. A miss reads through: a profile,
 * an identifier or a merge pointer not in its cache is read from PostgreSQL and put back, so a
 * cleared cache or a restart with an empty Infinispan answers as before. A profile read back this
 * way is put back in the open-visit index too, if its visit is open.
 *
 * <p>Three writers can touch one profile: the event consumer, the merge consumer and the visit
 * scan. Each reads a profile with its Hot Rod version and writes it back only if that version is
 * still current ({@link #write}); the loser re-reads and tries again. No locks, no lost update.
 */
@ApplicationScoped
public class ProfileStore {

  /** A profile as read, with the version a conditional write must match. */
  public record Current(LiveProfile profile, long version, boolean neverStored) {

    /** No such profile: only an insert can follow. */
    public static final Current ABSENT = new Current(null, -1, false);

    /** No such profile, and PostgreSQL never held the id: it was not merged away either. */
    public static final Current NEW = new Current(null, -1, true);

    Current(LiveProfile profile, long version) {
      this(profile, version, false);
    }

    public boolean exists() {
      return profile != null;
    }
  }

  // A chain longer than this is a cycle, not a history of merges: stop following it.
  private static final int MAX_MERGE_CHAIN = 16;

  private final RemoteCache<String, StoredProfile> profiles;
  private final RemoteCache<String, String> identifiers;
  private final RemoteCache<String, String> merges;
  private final RemoteCache<String, Long> openVisits;

  /** The open-visit index's marker that it was seeded from PostgreSQL since it was created. */
  private static final String SEEDED = "#seeded-from-postgresql";

  private final ProfileRows rows;
  private final ObjectMapper json;

  public ProfileStore(
      @Remote("profiles") RemoteCache<String, StoredProfile> profiles,
      @Remote("profile-identifiers") RemoteCache<String, String> identifiers,
      @Remote("profile-merges") RemoteCache<String, String> merges,
      @Remote("open-visits") RemoteCache<String, Long> openVisits,
      ProfileRows rows,
      ObjectMapper json) {
    this.profiles = profiles;
    this.identifiers = identifiers;
    this.merges = merges;
    this.openVisits = openVisits;
    this.rows = rows;
    this.json = json;
  }

  public Uni<Optional<LiveProfile>> byId(String profileId) {
    return read(profileId).map(current -> Optional.ofNullable(current.profile()));
  }

  /** {@code identifier} is normalised {@code type:value}. */
  public Uni<Optional<LiveProfile>> byIdentifier(String identifier) {
    return profileIdOf(identifier)
        .chain(
            profileId ->
                profileId.isEmpty()
                    ? Uni.createFrom().item(Optional.<LiveProfile>empty())
                    : byId(profileId.get()));
  }

  /** The profile id {@code identifier} (normalised {@code type:value}) points at, if any. */
  public Uni<Optional<String>> profileIdOf(String identifier) {
    return readThrough(identifiers, identifier, rows::profileIdOf);
  }

  /** The profile with its version, for a conditional {@link #write}; read through on a miss. */
  public Uni<Current> read(String profileId) {
    return cached(profileId)
        .chain(
            current -> current.exists() ? Uni.createFrom().item(current) : readThrough(profileId));
  }

  private Uni<Current> cached(String profileId) {
    return Uni.createFrom()
        .completionStage(() -> profiles.getWithMetadataAsync(profileId))
        .map(
            found ->
                found == null || found.getValue() == null
                    ? Current.ABSENT
                    : new Current(toProfile(found.getValue()), found.getVersion()));
  }

  /**
   * Puts the stored profile back in the cache unless a writer got there first, then reads the
   * cache: a conditional write needs the cache's version.
   */
  private Uni<Current> readThrough(String profileId) {
    return rows.load(profileId)
        .chain(
            stored -> {
              if (stored.profile() == null) {
                return Uni.createFrom().item(stored.none() ? Current.NEW : Current.ABSENT);
              }
              LiveProfile profile = stored.profile();
              Visit visit = profile.visit();
              return Uni.createFrom()
                  .completionStage(() -> profiles.putIfAbsentAsync(profileId, toStored(profile)))
                  .call(
                      () ->
                          visit == null || visit.ended()
                              ? Uni.createFrom().voidItem()
                              : Uni.createFrom()
                                  .completionStage(
                                      () ->
                                          openVisits.putIfAbsentAsync(
                                              profileId, micros(visit.lastEventAt()))))
                  .chain(() -> cached(profileId));
            });
  }

  /**
   * Stores an updated profile if {@code expected} is still what the cache holds.
   *
   * <p>The identifier index is written first: if the profile write then fails or loses, the change
   * is retried or redelivered (its messageId was not stored), whereas the other order could leave a
   * stored profile whose new identifiers never get indexed. The open-visit index follows the
   * profile ({@link #indexesVisit}); if that write is lost, the visit's next minute writes it
   * again.
   *
   * @return false when another writer changed the profile since {@code expected} was read
   */
  public Uni<Boolean> write(ProfileUpdate update, Current expected) {
    LiveProfile profile = update.profile();
    String id = profile.profileId();
    return index(update.addedIdentifiers(), id)
        .chain(
            () ->
                expected.exists()
                    ? Uni.createFrom()
                        .completionStage(
                            () ->
                                profiles.replaceWithVersionAsync(
                                    id, toStored(profile), expected.version()))
                    : Uni.createFrom()
                        .completionStage(
                            () ->
                                profiles
                                    .withFlags(Flag.FORCE_RETURN_VALUE)
                                    .putIfAbsentAsync(id, toStored(profile)))
                        .map(previous -> previous == null))
        .call(
            written ->
                written
                        && indexesVisit(
                            expected.exists() ? expected.profile().visit() : null, profile.visit())
                    ? Uni.createFrom()
                        .completionStage(
                            () -> openVisits.putAsync(id, micros(profile.visit().lastEventAt())))
                    : Uni.createFrom().voidItem());
  }

  /**
   * Whether a write that takes a profile's visit from {@code before} to {@code after} updates the
   * open-visit index: when a visit starts, and when its last event moves into a later minute. In
   * between, the index may be up to a minute behind the profile, which costs nothing: the scan
   * decides on the profile and corrects an entry it found behind ({@link #refreshVisit}), and a
   * visit times out after many minutes. Most events of a visit then cost no index write.
   */
  static boolean indexesVisit(Visit before, Visit after) {
    if (after == null || after.ended()) {
      return false;
    }
    return before == null
        || before.ended()
        || !before.startedAt().equals(after.startedAt())
        || minute(before.lastEventAt()) != minute(after.lastEventAt());
  }

  private static long minute(Instant instant) {
    return Math.floorDiv(instant.getEpochSecond(), 60);
  }

  /** Points {@code identifierKeys} at {@code profileId}. */
  public Uni<Void> index(Collection<String> identifierKeys, String profileId) {
    if (identifierKeys.isEmpty()) {
      return Uni.createFrom().voidItem();
    }
    Map<String, String> index =
        identifierKeys.stream().distinct().collect(Collectors.toMap(k -> k, k -> profileId));
    return Uni.createFrom().completionStage(() -> identifiers.putAllAsync(index));
  }

  /**
   * Deletes a profile folded into {@code survivorId} from the caches, remembering where it went so
   * that its late events land on the survivor ({@link #mergedInto}). Call it once the merge is
   * saved ({@link RowBatch#merged}): a read in between would otherwise bring the profile back.
   */
  public Uni<Void> deleteMerged(String profileId, String survivorId) {
    return Uni.createFrom()
        .completionStage(() -> merges.putAsync(profileId, survivorId))
        .chain(() -> Uni.createFrom().completionStage(() -> profiles.removeAsync(profileId)))
        .chain(() -> Uni.createFrom().completionStage(() -> openVisits.removeAsync(profileId)))
        .replaceWithVoid();
  }

  /**
   * Erases profiles: their rows and index entries in PostgreSQL first, then the caches, so that no
   * read in between brings a profile back from its row. Also removes the entries of {@code
   * identifierKeys} and of every identifier the cached profiles carry (which may be newer than
   * their rows), and the pointers of profiles merged into them. Erasing what does not exist does
   * nothing.
   */
  public Uni<Void> erase(Collection<String> profileIds, Collection<String> identifierKeys) {
    return Multi.createFrom()
        .iterable(profileIds)
        .onItem()
        .transformToUniAndConcatenate(this::cached)
        .collect()
        .asList()
        .chain(
            cachedProfiles -> {
              Set<String> keys = new TreeSet<>(identifierKeys);
              cachedProfiles.stream()
                  .filter(Current::exists)
                  .forEach(current -> keys.addAll(current.profile().identifiers()));
              return rows.delete(profileIds, keys)
                  .chain(
                      deleted ->
                          evict(
                              union(profileIds, deleted.profileIds()),
                              union(keys, deleted.identifiers())));
            });
  }

  /**
   * Deletes up to {@code limit} profiles (and merge pointers) not updated since {@code before},
   * from PostgreSQL then the caches.
   *
   * @return how many rows were deleted; fewer than {@code limit} means none is left
   */
  public Uni<Integer> expire(Instant before, int limit) {
    return rows.deleteNotUpdatedSince(before, limit)
        .call(deleted -> evict(deleted.profileIds(), deleted.identifiers()))
        .map(deleted -> deleted.profileIds().size());
  }

  private Uni<Void> evict(Collection<String> profileIds, Collection<String> identifierKeys) {
    return removeAll(profiles, profileIds)
        .chain(() -> removeAll(openVisits, profileIds))
        .chain(() -> removeAll(merges, profileIds))
        .chain(() -> removeAll(identifiers, identifierKeys));
  }

  private static Uni<Void> removeAll(RemoteCache<String, ?> cache, Collection<String> keys) {
    return Multi.createFrom()
        .iterable(keys)
        .onItem()
        .transformToUniAndMerge(
            key -> Uni.createFrom().completionStage(() -> cache.removeAsync(key)))
        .onItem()
        .ignoreAsUni();
  }

  private static Set<String> union(Collection<String> a, Collection<String> b) {
    Set<String> union = new TreeSet<>(a);
    union.addAll(b);
    return union;
  }

  /** The profile {@code profileId} was merged into, following chains of merges; empty if none. */
  public Uni<Optional<String>> mergedInto(String profileId) {
    return mergedInto(profileId, MAX_MERGE_CHAIN);
  }

  private Uni<Optional<String>> mergedInto(String profileId, int hops) {
    return readThrough(merges, profileId, rows::mergedInto)
        .chain(
            survivor ->
                survivor.isEmpty() || hops == 0
                    ? Uni.createFrom().item(survivor)
                    : mergedInto(survivor.get(), hops - 1)
                        .map(next -> Optional.of(next.orElse(survivor.get()))));
  }

  /** {@code key}'s entry in {@code cache}, else what {@code load} finds, put back in the cache. */
  private static Uni<Optional<String>> readThrough(
      RemoteCache<String, String> cache, String key, Function<String, Uni<Optional<String>>> load) {
    return Uni.createFrom()
        .completionStage(() -> cache.getAsync(key))
        .chain(
            cached ->
                cached != null
                    ? Uni.createFrom().item(Optional.of(cached))
                    : load.apply(key)
                        .call(
                            stored ->
                                stored.isEmpty()
                                    ? Uni.createFrom().voidItem()
                                    : Uni.createFrom()
                                        .completionStage(
                                            () -> cache.putIfAbsentAsync(key, stored.get()))));
  }

  /**
   * Up to {@code limit} open visits whose last event is older than {@code idleSince}. Walks the
   * open-visit index only, never the profiles. Blocking: call it from a worker thread.
   */
  public List<OpenVisit> idleVisits(Instant idleSince, int limit) {
    long bound = micros(idleSince);
    List<OpenVisit> idle = new ArrayList<>();
    try (CloseableIterator<Map.Entry<Object, MetadataValue<Object>>> entries =
        openVisits.retrieveEntriesWithMetadata(null, 1000)) {
      while (entries.hasNext() && idle.size() < limit) {
        Map.Entry<Object, MetadataValue<Object>> entry = entries.next();
        if (entry.getValue().getValue() instanceof Long lastEventAt && lastEventAt < bound) {
          idle.add(new OpenVisit((String) entry.getKey(), entry.getValue().getVersion()));
        }
      }
    }
    return idle;
  }

  /**
   * Whether the open-visit index holds every open visit PostgreSQL knows: false after the cache was
   * lost (cleared, or Infinispan restarted empty), until {@link #seedOpenVisits} ran. Blocking.
   */
  public boolean openVisitsSeeded() {
    return openVisits.containsKey(SEEDED);
  }

  /**
   * Puts {@code lastEventAt} of each open visit into the index (an entry already there is newer or
   * equal and stays), then marks the index seeded. Blocking.
   */
  public void seedOpenVisits(Map<String, Instant> lastEventAt) {
    lastEventAt.forEach((profileId, at) -> openVisits.putIfAbsent(profileId, micros(at)));
    // Never idle: the marker's "last event" is the end of time.
    openVisits.put(SEEDED, Long.MAX_VALUE);
  }

  /** An entry of the open-visit index, with its version. */
  public record OpenVisit(String profileId, long version) {}

  /**
   * Corrects an index entry found older than its profile's visit (an event's index write was lost),
   * unless an event rewrote the entry since it was read.
   */
  public Uni<Void> refreshVisit(OpenVisit visit, Instant lastEventAt) {
    return Uni.createFrom()
        .completionStage(
            () ->
                openVisits.replaceWithVersionAsync(
                    visit.profileId(), micros(lastEventAt), visit.version()))
        .replaceWithVoid();
  }

  /** Drops a visit from the index unless an event rewrote the entry since it was read. */
  public Uni<Void> forgetVisit(OpenVisit visit) {
    return Uni.createFrom()
        .completionStage(
            () -> openVisits.removeWithVersionAsync(visit.profileId(), visit.version()))
        .replaceWithVoid();
  }

  private StoredProfile toStored(LiveProfile profile) {
    Visit visit = profile.visit();
    try {
      return new StoredProfile(
          profile.profileId(),
          profile.identifiers(),
          json.writeValueAsString(profile.traits()),
          json.writeValueAsString(profile.attributes()),
          visit == null ? 0 : micros(visit.startedAt()),
          visit == null ? 0 : micros(visit.lastEventAt()),
          visit == null ? 0 : visit.eventCount(),
          profile.version(),
          profile.updatedAt() == null ? 0 : micros(profile.updatedAt()),
          profile.recentMessageIds(),
          profile.badges(),
          visit != null && visit.ended());
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("A profile's JSON did not serialise", e);
    }
  }

  private LiveProfile toProfile(StoredProfile stored) {
    try {
      Visit visit =
          stored.visitEventCount() == 0
              ? null
              : new Visit(
                  instant(stored.visitStartedAt()),
                  instant(stored.visitLastEventAt()),
                  stored.visitEventCount(),
                  stored.visitEnded());
      return new LiveProfile(
          stored.profileId(),
          orEmpty(stored.identifiers()),
          (ObjectNode) json.readTree(stored.traitsJson()),
          (ObjectNode) json.readTree(stored.attributesJson()),
          orEmpty(stored.badges()),
          visit,
          stored.version(),
          stored.updatedAt() == 0 ? null : instant(stored.updatedAt()),
          orEmpty(stored.recentMessageIds()));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("A stored profile's JSON did not parse", e);
    }
  }

  private static long micros(Instant instant) {
    return ChronoUnit.MICROS.between(Instant.EPOCH, instant);
  }

  private static Instant instant(long micros) {
    return Instant.EPOCH.plus(micros, ChronoUnit.MICROS);
  }

  private static List<String> orEmpty(List<String> list) {
    return list == null ? List.of() : List.copyOf(list);
  }
}
