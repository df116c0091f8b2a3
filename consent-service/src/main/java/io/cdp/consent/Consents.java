package io.cdp.consent;

import io.cdp.consent.messaging.ConsentChangePublisher;
import io.cdp.consent.store.ConsentCache;
import io.cdp.consent.store.ConsentStore;
import io.cdp.contracts.ProtoTime;
import io.cdp.contracts.consent.v1.ConsentChange;
import io.opentelemetry.instrumentation.annotations.WithSpan;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
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

  public Consents(ConsentStore store, ConsentCache cache, ConsentChangePublisher publisher) {
    this.store = store;
    this.cache = cache;
    this.publisher = publisher;
  }

  /** Applies validated purpose choices from {@code source}; returns the subject's new state. */
  @WithSpan
  public Uni<ConsentChange> change(Subject subject, Map<String, Boolean> choices, String source) {
    // PostgreSQL keeps microseconds: truncating here makes the answer equal a later read.
    Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
    return Panache.withTransaction(() -> store.apply(subject, choices, source, now))
        .call(cache::offer)
        .call(publisher::publish);
  }

  /**
   * What a person chose under any of their subjects (profile, email, user id...): the states are
   * overlaid oldest first, so for each purpose the most recent choice wins.
   */
  @WithSpan
  public Uni<Map<String, Boolean>> explicitOf(List<Subject> subjects) {
    // One after the other: the reads share one reactive session, which allows no concurrency.
    return Multi.createFrom()
        .iterable(subjects)
        .onItem()
        .transformToUniAndConcatenate(this::current)
        .collect()
        .asList()
        .map(
            found -> {
              Map<String, Boolean> explicit = new TreeMap<>();
              found.stream()
                  .filter(Objects::nonNull)
                  .sorted(Comparator.comparing(state -> ProtoTime.instant(state.getUpdatedAt())))
                  .forEach(state -> explicit.putAll(state.getPurposesMap()));
              return explicit;
            });
  }

  /** The subject's current explicit state, or null if it never chose anything. */
  @WithSpan
  public Uni<ConsentChange> current(Subject subject) {
    return cache
        .get(subject.key())
        .onItem()
        .ifNull()
        .switchTo(
            () ->
                Panache.withSession(() -> store.find(subject))
                    .call(
                        found -> found == null ? Uni.createFrom().voidItem() : cache.offer(found)));
  }
}
