package io.cdp.consent;

import io.cdp.common.SharedCalls;
import io.cdp.common.VertxContexts;
import io.cdp.consent.messaging.ConsentChangePublisher;
import io.cdp.consent.store.ConsentCache;
import io.cdp.consent.store.ConsentCacheLoader;
import io.cdp.consent.store.ConsentStore;
import io.cdp.contracts.consent.v1.ConsentChange;
import io.opentelemetry.instrumentation.annotations.WithSpan;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * How consent is changed and read. A change is committed to PostgreSQL first (history and current
 * state), then written to the cache and published on {@code cdp.consent.changes}, so nothing is
 * ever announced that the database does not hold. Reads go to the cache, which holds every state
 * once loaded ({@link ConsentCache}).
 */
@ApplicationScoped
public class Consents {

  private final ConsentStore store;
  private final ConsentCache cache;
  private final ConsentCacheLoader loader;
  private final ConsentChangePublisher publisher;

  /** The source of choices carried over from merged profiles ({@link #carryOver}). */
  public static final String MERGE = "merge";

  private static final Comparator<ConsentChange> OLDEST_FIRST =
      Comparator.<ConsentChange>comparingLong(state -> state.getUpdatedAt().getSeconds())
          .thenComparingInt(state -> state.getUpdatedAt().getNanos());

  /** PostgreSQL reads under way, by the subjects they read ({@link #read}). */
  private final SharedCalls<Set<String>, Map<String, ConsentChange>> reading = new SharedCalls<>();

  public Consents(
      ConsentStore store,
      ConsentCache cache,
      ConsentCacheLoader loader,
      ConsentChangePublisher publisher) {
    this.store = store;
    this.cache = cache;
    this.loader = loader;
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
    return states(subjects).map(Consents::overlay);
  }

  /**
   * Carries the consent of profiles merged into {@code survivor} over to it: consent from events is
   * stored under {@code profile:<id>}, and who the survivor is ({@code person}) need not name the
   * merged profiles, whose consent its checks would then miss. The survivor's state takes what the
   * person and the merged profiles chose, latest per purpose ({@link #explicitOf}): being the
   * newest state then, it must hold all of it, or an older choice it held would now win over a
   * newer one made under another subject. Nothing changes when the merged profiles chose nothing,
   * or when the survivor already holds it all (a replayed merge).
   */
  public Uni<Void> carryOver(Subject survivor, List<Subject> person, List<Subject> merged) {
    List<Subject> subjects = new ArrayList<>(person);
    subjects.add(survivor);
    subjects.addAll(merged);
    return states(subjects)
        .chain(
            found -> {
              if (merged.stream().noneMatch(profile -> found.containsKey(profile.key()))) {
                return Uni.createFrom().voidItem();
              }
              Known known = overlay(found);
              ConsentChange current = found.get(survivor.key());
              Map<String, Boolean> held = current == null ? Map.of() : current.getPurposesMap();
              Map<String, Boolean> changed = new TreeMap<>(known.explicit());
              changed
                  .entrySet()
                  .removeIf(choice -> choice.getValue().equals(held.get(choice.getKey())));
              String place = known.jurisdiction();
              boolean newPlace =
                  place != null && (current == null || !place.equals(current.getJurisdiction()));
              if (changed.isEmpty() && !newPlace) {
                return Uni.createFrom().voidItem();
              }
              return change(survivor, new Update(changed, MERGE, "", newPlace ? place : null))
                  .replaceWithVoid();
            });
  }

  /** The states overlaid oldest first: per purpose the latest choice wins, so does the place. */
  private static Known overlay(Map<String, ConsentChange> states) {
    Map<String, Boolean> explicit = new TreeMap<>();
    String jurisdiction = null;
    List<ConsentChange> oldestFirst = new ArrayList<>(states.values());
    oldestFirst.sort(OLDEST_FIRST);
    for (ConsentChange state : oldestFirst) {
      explicit.putAll(state.getPurposesMap());
      if (!state.getJurisdiction().isEmpty()) {
        jurisdiction = state.getJurisdiction();
      }
    }
    return new Known(explicit, jurisdiction);
  }

  /** The subject's current explicit state, or null if it never chose anything. */
  @WithSpan
  public Uni<ConsentChange> current(Subject subject) {
    return states(List.of(subject)).map(found -> found.get(subject.key()));
  }

  /**
   * The current states of those of {@code subjects} that have one, by key: from the cache, which
   * holds them all once loaded; until then PostgreSQL answers for what the cache lacks.
   */
  private Uni<Map<String, ConsentChange>> states(List<Subject> subjects) {
    List<String> keys = new ArrayList<>(subjects.size());
    subjects.forEach(subject -> keys.add(subject.key()));
    return cache
        .getAll(keys)
        .chain(
            cached -> {
              Map<String, ConsentChange> found = cached.found();
              if (cached.complete()) {
                return Uni.createFrom().item(found);
              }
              loader.loadIfMissing();
              Set<String> misses = new LinkedHashSet<>(keys);
              misses.removeAll(found.keySet());
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
   * The stored states of {@code misses}, read from PostgreSQL. Checks of the same subjects at the
   * same moment (the deliveries of one transition, one per connector) share one read.
   */
  private Uni<Map<String, ConsentChange>> read(Set<String> misses) {
    Uni<Map<String, ConsentChange>> shared =
        reading.call(Set.copyOf(misses), keys -> Panache.withSession(() -> store.findAll(keys)));
    // The read may be another check's, answering on its context: answer on this one's
    return shared.emitOn(VertxContexts.callerContext());
  }
}
