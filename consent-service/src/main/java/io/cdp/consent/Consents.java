package io.cdp.consent;

import io.cdp.common.SharedCalls;
import io.cdp.common.VertxContexts;
import io.cdp.consent.messaging.ConsentChangePublisher;
import io.cdp.consent.store.ConsentCache;
import io.cdp.consent.store.ConsentStore;
import io.cdp.contracts.ProtoTime;
import io.cdp.contracts.consent.v1.ConsentChange;
import io.opentelemetry.instrumentation.annotations.WithSpan;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * How consent is changed and read. A change is committed to PostgreSQL first (history and current
 * state), then written to the cache and published on {@code cdp.consent.changes}, so nothing is
 * ever announced that the database does not hold. Reads go to the cache, then to PostgreSQL.
 */
@ApplicationScoped
public class Consents {

  private final ConsentStore store;
  private final ConsentCache cache;
  private final ConsentChangePublisher publisher;

  /** PostgreSQL reads under way, by the subjects they read ({@link #read}). */
  private final SharedCalls<Set<String>, Map<String, ConsentChange>> reading = new SharedCalls<>();

  public Consents(ConsentStore store, ConsentCache cache, ConsentChangePublisher publisher) {
    this.store = store;
    this.cache = cache;
    this.publisher = publisher;
  }

  /**
   * One change of a subject's consent: validated purpose choices (may be empty), where they came
   * from (api, event, tcf, google_consent_mode), the TC string they were decoded from ("" if none)
   * and the subject's place (country or jurisdiction code; null leaves the known one).
   */
  public record Update(
      Map<String, Boolean> choices, String source, String tcf, String jurisdiction) {
    public Update {
      choices = Map.copyOf(choices);
      tcf = tcf == null ? "" : tcf;
    }
  }

  /**
   * What a person said, over all their subjects: the explicit choices, and their latest known place
   * (null if none).
   */
  public record Known(Map<String, Boolean> explicit, String jurisdiction) {}

  /** Applies an update; returns the subject's new state. */
  @WithSpan
  public Uni<ConsentChange> change(Subject subject, Update update) {
    // PostgreSQL keeps microseconds: truncating here makes the answer equal a later read.
    Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
    return Panache.withTransaction(() -> store.apply(subject, update, now))
        .call(cache::offer)
        .call(publisher::publish);
  }

  /**
   * What a person chose under any of their subjects (profile, email, user id...): the states are
   * overlaid oldest first, so for each purpose the most recent choice wins, and so does the most
   * recently known place.
   */
  @WithSpan
  public Uni<Known> explicitOf(List<Subject> subjects) {
    return states(subjects)
        .map(
            found -> {
              Map<String, Boolean> explicit = new TreeMap<>();
              String jurisdiction = null;
              List<ConsentChange> oldestFirst =
                  found.values().stream()
                      .sorted(
                          Comparator.comparing(state -> ProtoTime.instant(state.getUpdatedAt())))
                      .toList();
              for (ConsentChange state : oldestFirst) {
                explicit.putAll(state.getPurposesMap());
                if (!state.getJurisdiction().isEmpty()) {
                  jurisdiction = state.getJurisdiction();
                }
              }
              return new Known(explicit, jurisdiction);
            });
  }

  /** The subject's current explicit state, or null if it never chose anything. */
  @WithSpan
  public Uni<ConsentChange> current(Subject subject) {
    return states(List.of(subject)).map(found -> found.get(subject.key()));
  }

  /**
   * The current states of those of {@code subjects} that have one, by key: one cache round trip for
   * all of them, then one PostgreSQL query for the misses, whose answers (states, or the knowledge
   * that there is none) fill the cache for the next check.
   */
  private Uni<Map<String, ConsentChange>> states(List<Subject> subjects) {
    Set<String> keys = new LinkedHashSet<>();
    subjects.forEach(subject -> keys.add(subject.key()));
    return cache
        .getAll(keys)
        .chain(
            cached -> {
              Set<String> misses = new LinkedHashSet<>(keys);
              misses.removeAll(cached.keySet());
              Map<String, ConsentChange> found = new HashMap<>(cached);
              found.values().removeIf(ConsentCache::isAbsent);
              if (misses.isEmpty()) {
                return Uni.createFrom().item(found);
              }
              return read(misses)
                  .map(
                      stored -> {
                        found.putAll(stored);
                        return found;
                      });
            });
  }

  /**
   * The stored states of {@code misses}, read from PostgreSQL, whose answers fill the cache. Checks
   * of the same subjects at the same moment (the deliveries of one transition, one per connector)
   * share one read.
   */
  private Uni<Map<String, ConsentChange>> read(Set<String> misses) {
    Uni<Map<String, ConsentChange>> shared =
        reading.call(
            Set.copyOf(misses),
            keys ->
                Panache.withSession(() -> store.findAll(keys))
                    .call(stored -> refill(keys, stored)));
    // The read may be another check's, answering on its context: answer on this one's
    return shared.emitOn(VertxContexts.callerContext());
  }

  private Uni<Void> refill(Set<String> misses, Map<String, ConsentChange> stored) {
    List<Uni<Void>> writes = new ArrayList<>();
    for (String subject : misses) {
      ConsentChange state = stored.get(subject);
      writes.add(state != null ? cache.offer(state) : cache.markAbsent(subject));
    }
    return Uni.join().all(writes).andFailFast().replaceWithVoid();
  }
}
