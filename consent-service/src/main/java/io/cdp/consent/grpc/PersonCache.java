package io.cdp.consent.grpc;

import io.cdp.consent.Subject;
import io.cdp.consent.config.ConsentConfig;
import io.cdp.consent.grpc.IdentityDirectory.Person;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Who a subject is, for checks: the identity service's answer ({@link IdentityDirectory}) kept for
 * {@code cdp.consent.identity-cache-ttl} (default 30 s; 0 turns it off) and refreshed behind the
 * checks after that. A check must answer within milliseconds and the identity service's Lookup
 * reads PostgreSQL, while who a profile is changes rarely: only when an identifier is linked or
 * profiles merge. Consent itself is never cached here, so a withdrawal still counts from the very
 * next check; what the cache may miss for at most the TTL is consent given under an identifier
 * linked to the profile meanwhile (with several instances, only the one reading the linking event's
 * partition drops its entry at once). A resolved event that links such an identifier ({@link
 * #forgetUnless}) drops the entry at once on the instance that reads it. Erasures and access
 * requests ask the identity service every time.
 */
@ApplicationScoped
public class PersonCache {

  /** Entries at most; beyond it expired ones are dropped, then all (one miss each). */
  private static final int MAX_ENTRIES = 200_000;

  /** A person as last read, and whether a refresh of it is under way. */
  private record Entry(Person person, long expiresAtNanos, AtomicBoolean refreshing) {}

  private final IdentityDirectory directory;
  private final long ttlNanos;
  private final Map<String, Entry> entries = new ConcurrentHashMap<>();

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
      return lookup(subject);
    }
    if (System.nanoTime() - entry.expiresAtNanos() >= 0
        && entry.refreshing().compareAndSet(false, true)) {
      lookup(subject).subscribe().with(person -> {}, failure -> entries.remove(key, entry));
    }
    return Uni.createFrom().item(entry.person());
  }

  private Uni<Person> lookup(Subject subject) {
    return directory
        .person(subject)
        .invoke(
            person -> {
              long now = System.nanoTime();
              if (entries.size() >= MAX_ENTRIES) {
                entries.values().removeIf(e -> now - e.expiresAtNanos() >= 0);
                if (entries.size() >= MAX_ENTRIES) {
                  entries.clear();
                }
              }
              entries.put(subject.key(), new Entry(person, now + ttlNanos, new AtomicBoolean()));
            });
  }

  /**
   * Drops what is cached for profile {@code profileId} unless it already has every one of {@code
   * identifiers}: the profile's person changed.
   */
  public void forgetUnless(String profileId, Collection<Subject> identifiers) {
    String key = Subject.ofProfile(profileId).key();
    Entry entry = entries.get(key);
    if (entry != null && !entry.person().subjects().containsAll(identifiers)) {
      entries.remove(key);
    }
  }
}
