package io.cdp.consent.grpc;

import io.cdp.common.VertxContexts;
import io.cdp.consent.Subject;
import io.cdp.consent.config.ConsentConfig;
import io.cdp.consent.grpc.IdentityDirectory.Person;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Who a subject is, for checks: the identity service's answer ({@link IdentityDirectory}) kept for
 * {@code cdp.consent.identity-cache-ttl} (default 30 s, less up to a fifth at random so that
 * entries cached together are not refreshed together; 0 turns it off) and refreshed behind the
 * checks after that. A check must answer within milliseconds and the identity service's Lookup
 * reads PostgreSQL, while who a profile is changes rarely: only when an identifier is linked or
 * profiles merge. Consent itself is never cached here, so a withdrawal still counts from the very
 * next check.
 *
 * <p>Checks of a subject not cached share one lookup (the connector checks each of a profile's
 * deliveries at once, one per connector). The resolved events this service reads keep entries
 * current ({@link #learn}): an identifier an event links to a cached profile is added to its entry
 * (also to a lookup under way, whose answer may predate the link), rather than dropping the entry
 * and making the next check wait for the identity service. A merge or a split of profiles makes
 * their entries be looked up again at once ({@link #forget}). What the cache may miss for at most
 * the TTL: consent given under an identifier linked meanwhile through another instance's
 * partitions, and merges and splits for checks by identifier rather than by profile id. Erasures
 * and access requests ask the identity service every time.
 *
 * <p>A new profile needs no lookup at all ({@link #created}): the event that created it names all
 * its identifiers, so its entry is cached from that event, and expires a TTL after the event was
 * written, as if the identity service had been asked then.
 */
@ApplicationScoped
public class PersonCache {

  /** Entries at most; beyond it expired ones are dropped, then all (one miss each). */
  private static final int MAX_ENTRIES = 200_000;

  /** A person as last known. */
  private record Entry(Person person, long expiresAtNanos) {}

  /**
   * A lookup of {@code subject} under way: the answer every check of the subject meanwhile waits
   * for, and the identifiers events linked to the subject meanwhile (the answer may predate them).
   * Its answer is cached only while it is the subject's current lookup: one that a merge or a split
   * made obsolete ({@link #forget}) still answers the checks that waited for it, but is not kept.
   */
  private final class Loading {
    final Set<Subject> linked = ConcurrentHashMap.newKeySet();
    final Uni<Person> person;

    Loading(Subject subject) {
      String key = subject.key();
      person =
          directory
              .person(subject)
              .map(found -> remember(key, found, this))
              .onTermination()
              .invoke(() -> loading.remove(key, this))
              .memoize()
              .indefinitely();
    }
  }

  private final IdentityDirectory directory;
  private final long ttlNanos;
  private final Map<String, Entry> entries = new ConcurrentHashMap<>();
  private final Map<String, Loading> loading = new ConcurrentHashMap<>();

  public PersonCache(IdentityDirectory directory, ConsentConfig config) {
    this.directory = directory;
    this.ttlNanos = config.identityCacheTtl().toNanos();
  }

  /**
   * The person {@code subject} belongs to. A fresh entry answers at once; an expired one answers
   * once more while one refresh runs behind it, so the identity service's latency stays off the
   * check path (a failed refresh drops the entry: the next check asks and waits, and fails if the
   * identity service cannot answer). Only a subject never seen waits for the identity service.
   */
  public Uni<Person> person(Subject subject) {
    if (ttlNanos <= 0) {
      return directory.person(subject);
    }
    String key = subject.key();
    Entry entry = entries.get(key);
    if (entry == null) {
      // The lookup may be another check's, answering on its context: answer on this one's
      return load(subject).person.emitOn(VertxContexts.callerContext());
    }
    if (System.nanoTime() - entry.expiresAtNanos() >= 0) {
      load(subject).person.subscribe().with(person -> {}, failure -> entries.remove(key, entry));
    }
    return Uni.createFrom().item(entry.person());
  }

  /**
   * What a resolved event says about profile {@code profileId}: it has {@code identifiers}. A
   * cached profile (or one being looked up) gets those it lacked; an unknown one is left to its
   * first check.
   */
  public void learn(String profileId, Collection<Subject> identifiers) {
    String key = Subject.ofProfile(profileId).key();
    Loading under = loading.get(key);
    if (under != null) {
      under.linked.addAll(identifiers);
    }
    link(key, identifiers);
  }

  /**
   * What the resolved event that created profile {@code profileId} says, written at {@code
   * createdAt}: its identifiers are all it has. Cached as its person until a TTL after {@code
   * createdAt} (an event read later, a replay for instance, is cached for less, or not at all: the
   * profile may have been merged or linked since), unless it is cached already.
   */
  public void created(String profileId, Collection<Subject> identifiers, Instant createdAt) {
    long leftNanos =
        lifetimeNanos() - Math.max(0, Duration.between(createdAt, Instant.now()).toNanos());
    if (leftNanos > 0) {
      Subject profile = Subject.ofProfile(profileId);
      Set<Subject> subjects = new LinkedHashSet<>();
      subjects.add(profile);
      subjects.addAll(identifiers);
      Person person = new Person(profileId, List.copyOf(subjects));
      put(profile.key(), new Entry(person, System.nanoTime() + leftNanos), false);
    }
    learn(profileId, identifiers);
  }

  /**
   * Forgets who the profiles {@code profileIds} are, because they merged or identifiers moved
   * between them: a lookup under way may predate that, so its answer is not kept. Those that were
   * cached or being looked up are looked up again at once, so that their next check does not wait
   * for the identity service. Entries of checks by identifier are left to their TTL.
   */
  public void forget(Collection<String> profileIds) {
    for (String profileId : profileIds) {
      Subject profile = Subject.ofProfile(profileId);
      String key = profile.key();
      boolean known = loading.remove(key) != null;
      known |= entries.remove(key) != null;
      if (known && ttlNanos > 0) {
        load(profile).person.subscribe().with(person -> {}, failure -> {});
      }
    }
  }

  /** The lookup of {@code subject} under way, or a new one; its answer fills the cache. */
  private Loading load(Subject subject) {
    return loading.computeIfAbsent(subject.key(), key -> new Loading(subject));
  }

  /**
   * Caches {@code person}, and what events linked to it meanwhile, if {@code lookup} is still the
   * current lookup of {@code key}; returns the person with those identifiers.
   */
  private Person remember(String key, Person person, Loading lookup) {
    // Atomic with forget's removal of the lookup: a forgotten answer is never put back
    Loading current =
        loading.computeIfPresent(
            key,
            (k, under) -> {
              if (under == lookup) {
                put(key, new Entry(person, System.nanoTime() + lifetimeNanos()), true);
              }
              return under;
            });
    if (current != lookup) {
      return withAll(person, lookup.linked);
    }
    // Read after the put: an identifier learned meanwhile is either in the set or linked by learn
    Person cached = link(key, lookup.linked);
    return cached != null ? cached : withAll(person, lookup.linked);
  }

  /**
   * How long a new entry is kept: the TTL less up to a fifth at random. Entries cached at the same
   * moment (a restart, a burst of new visitors) would otherwise all expire, and be looked up again,
   * at the same moment, and so again a TTL later: bursts of lookups that slow the identity service
   * and take the CPU checks need.
   */
  private long lifetimeNanos() {
    return ttlNanos - ThreadLocalRandom.current().nextLong(ttlNanos / 5 + 1);
  }

  /**
   * Caches {@code entry} under {@code key} ({@code replace}: over what is there), within bounds.
   */
  private void put(String key, Entry entry, boolean replace) {
    if (entries.size() >= MAX_ENTRIES) {
      long now = System.nanoTime();
      entries.values().removeIf(e -> now - e.expiresAtNanos() >= 0);
      if (entries.size() >= MAX_ENTRIES) {
        entries.clear();
      }
    }
    if (replace) {
      entries.put(key, entry);
    } else {
      entries.putIfAbsent(key, entry);
    }
  }

  private Person link(String key, Collection<Subject> identifiers) {
    Entry linked =
        entries.computeIfPresent(
            key,
            (k, entry) -> {
              Person person = withAll(entry.person(), identifiers);
              return person == entry.person() ? entry : new Entry(person, entry.expiresAtNanos());
            });
    return linked == null ? null : linked.person();
  }

  private static Person withAll(Person person, Collection<Subject> identifiers) {
    if (person.subjects().containsAll(identifiers)) {
      return person;
    }
    Set<Subject> subjects = new LinkedHashSet<>(person.subjects());
    subjects.addAll(identifiers);
    return new Person(person.profileId(), List.copyOf(subjects));
  }
}
