package io.cdp.consent.grpc;

import io.cdp.common.VertxContexts;
import io.cdp.consent.Subject;
import io.cdp.consent.config.ConsentConfig;
import io.cdp.consent.grpc.IdentityDirectory.Person;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Who a subject is, for checks: the identity service's answer ({@link IdentityDirectory}) kept for
 * {@code cdp.consent.identity-cache-ttl} (default 30 s; 0 turns it off) and refreshed behind the
 * checks after that. A check must answer within milliseconds and the identity service's Lookup
 * reads PostgreSQL, while who a profile is changes rarely: only when an identifier is linked or
 * profiles merge. Consent itself is never cached here, so a withdrawal still counts from the very
 * next check.
 *
 * <p>Checks of a subject not cached share one lookup (the connector checks each of a profile's
 * deliveries at once, one per connector). The resolved events this service reads keep entries
 * current ({@link #learn}): an identifier an event links to a cached profile is added to its entry
 * (also to a lookup under way, whose answer may predate the link), rather than dropping the entry
 * and making the next check wait for the identity service. What the cache may miss for at most the
 * TTL: consent given under an identifier linked meanwhile through another instance's partitions or
 * through a merge of profiles. Erasures and access requests ask the identity service every time.
 */
@ApplicationScoped
public class PersonCache {

  /** Entries at most; beyond it expired ones are dropped, then all (one miss each). */
  private static final int MAX_ENTRIES = 200_000;

  /** A person as last known. */
  private record Entry(Person person, long expiresAtNanos) {}

  /**
   * A lookup under way: the answer every check of the subject meanwhile waits for, and the
   * identifiers events linked to the subject meanwhile (the answer may predate them).
   */
  private record Loading(Uni<Person> person, Set<Subject> linked) {}

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
      return load(subject).person().emitOn(VertxContexts.callerContext());
    }
    if (System.nanoTime() - entry.expiresAtNanos() >= 0) {
      load(subject).person().subscribe().with(person -> {}, failure -> entries.remove(key, entry));
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
      under.linked().addAll(identifiers);
    }
    link(key, identifiers);
  }

  /** The lookup of {@code subject} under way, or a new one; its answer fills the cache. */
  private Loading load(Subject subject) {
    return loading.computeIfAbsent(
        subject.key(),
        key -> {
          Set<Subject> linked = ConcurrentHashMap.newKeySet();
          Uni<Person> person =
              directory
                  .person(subject)
                  .map(found -> remember(key, found, linked))
                  .onTermination()
                  .invoke(() -> loading.remove(key))
                  .memoize()
                  .indefinitely();
          return new Loading(person, linked);
        });
  }

  /** Caches {@code person} and what events linked to it meanwhile; returns what was cached. */
  private Person remember(String key, Person person, Set<Subject> linked) {
    long now = System.nanoTime();
    if (entries.size() >= MAX_ENTRIES) {
      entries.values().removeIf(e -> now - e.expiresAtNanos() >= 0);
      if (entries.size() >= MAX_ENTRIES) {
        entries.clear();
      }
    }
    entries.put(key, new Entry(person, now + ttlNanos));
    // Read after the put: an identifier learned meanwhile is either in the set or linked by learn
    Person cached = link(key, linked);
    return cached != null ? cached : withAll(person, linked);
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
