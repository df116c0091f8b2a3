package io.cdp.consent.store;

import io.cdp.consent.Consents;
import io.cdp.consent.Subject;
import io.cdp.contracts.ProtoTime;
import io.cdp.contracts.consent.v1.ConsentChange;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Consent in PostgreSQL: the history ({@code consent_records}) and the current state ({@code
 * consent_state}). States are handed out as {@link ConsentChange}, the shape they are cached and
 * published in.
 */
@ApplicationScoped
public class ConsentStore {

  /**
   * Makes sure the subject's row exists before it is locked, so two first changes of one subject
   * queue on the lock instead of racing to insert.
   */
  private static final String ENSURE_ROW =
      "insert into {h-schema}consent_state (subject, purposes, version)"
          + " values (:subject, cast('{}' as jsonb), 0) on conflict (subject) do nothing";

  /**
   * Records the update's choices (and its jurisdiction, when it names one) and returns the new
   * state. Runs inside the caller's transaction; the row lock serialises changes of one subject so
   * versions never repeat.
   */
  public Uni<ConsentChange> apply(Subject subject, Consents.Update update, Instant at) {
    Map<String, Boolean> changes = update.choices();
    String source = update.source();
    return Panache.getSession()
        .chain(
            session ->
                session
                    .createNativeQuery(ENSURE_ROW)
                    .setParameter("subject", subject.key())
                    .executeUpdate())
        .chain(
            () ->
                CurrentConsent.<CurrentConsent>findById(
                    subject.key(), LockModeType.PESSIMISTIC_WRITE))
        .chain(
            state -> {
              Map<String, Boolean> purposes = new TreeMap<>(state.purposes);
              purposes.putAll(changes);
              state.purposes = purposes;
              if (update.jurisdiction() != null) {
                state.jurisdiction = update.jurisdiction();
              }
              state.version++;
              state.updatedAt = at;
              List<ConsentRecord> records = new ArrayList<>();
              changes.forEach(
                  (purpose, granted) -> records.add(record(subject, purpose, granted, source, at)));
              // A change of place alone records no decision (and Panache refuses an empty list)
              Uni<Void> recorded =
                  records.isEmpty() ? Uni.createFrom().voidItem() : ConsentRecord.persist(records);
              return recorded.replaceWith(
                  () -> toChange(state, source).toBuilder().setTcf(update.tcf()).build());
            });
  }

  /** The current states of those of {@code subjects} that have one, by key. Needs a session. */
  public Uni<Map<String, ConsentChange>> findAll(Collection<String> subjects) {
    return CurrentConsent.<CurrentConsent>list("subject in ?1", List.copyOf(subjects))
        .map(
            states -> {
              Map<String, ConsentChange> found = new TreeMap<>();
              states.stream()
                  .filter(state -> state.updatedAt != null)
                  .forEach(state -> found.put(state.subject, toChange(state, "")));
              return found;
            });
  }

  /**
   * Up to {@code size} current states, in order of subject, of the subjects after {@code after} (""
   * for the first): pages of every state, for loading the cache. Needs a session.
   */
  public Uni<List<ConsentChange>> page(String after, int size) {
    return CurrentConsent.<CurrentConsent>find(
            "updatedAt is not null and subject > ?1 order by subject", after)
        .range(0, size - 1)
        .list()
        .map(states -> states.stream().map(state -> toChange(state, "")).toList());
  }

  /** Every recorded decision of {@code subjects}, oldest first. Needs a session. */
  public Uni<List<ConsentRecord>> history(Collection<Subject> subjects) {
    List<String> keys = subjects.stream().map(Subject::key).toList();
    return ConsentRecord.list("subject in ?1 order by recordedAt, purpose", keys);
  }

  /** Deletes the history and state of {@code subjects}. Runs inside the caller's transaction. */
  public Uni<Void> erase(Collection<Subject> subjects) {
    List<String> keys = subjects.stream().map(Subject::key).toList();
    return ConsentRecord.delete("subject in ?1", keys)
        .chain(() -> CurrentConsent.delete("subject in ?1", keys))
        .replaceWithVoid();
  }

  private static ConsentRecord record(
      Subject subject, String purpose, boolean granted, String source, Instant at) {
    ConsentRecord record = new ConsentRecord();
    record.id = UUID.randomUUID();
    record.subject = subject.key();
    record.purpose = purpose;
    record.granted = granted;
    record.source = source;
    record.recordedAt = at;
    return record;
  }

  private static ConsentChange toChange(CurrentConsent state, String source) {
    return ConsentChange.newBuilder()
        .setSubject(state.subject)
        .putAllPurposes(state.purposes)
        .setSource(source)
        .setUpdatedAt(ProtoTime.timestamp(state.updatedAt))
        .setVersion(state.version)
        .setJurisdiction(state.jurisdiction == null ? "" : state.jurisdiction)
        .build();
  }
}
