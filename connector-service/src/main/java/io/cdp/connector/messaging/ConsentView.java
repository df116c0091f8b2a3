package io.cdp.connector.messaging;

import io.cdp.contracts.consent.v1.ConsentChange;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * This instance's view of explicit consent, fed by the compacted {@code cdp.consent.changes} (read
 * whole by every instance: its consumer group is unique). The consent service's answer comes first;
 * this view decides only while that service cannot answer, and only for purposes the subject set
 * explicitly (defaults are the consent service's policy). Memory: one entry per subject with
 * explicit consent.
 *
 * <p>Idempotency: an entry is replaced only by a higher {@code version}, so a replayed or stale
 * change is ignored; a tombstone removes the subject.
 */
@ApplicationScoped
public class ConsentView {

  /** The channel reading {@code cdp.consent.changes}. */
  public static final String CHANNEL = "consent-changes";

  private final Map<String, ConsentChange> bySubject = new ConcurrentHashMap<>();

  @Incoming(CHANNEL)
  public void consume(ConsumerRecord<String, ConsentChange> record) {
    ConsentChange change = record.value();
    if (change == null) {
      if (record.key() != null) {
        bySubject.remove(record.key());
      }
      return;
    }
    bySubject.merge(
        change.getSubject(),
        change,
        (known, latest) -> latest.getVersion() > known.getVersion() ? latest : known);
  }

  /**
   * The purposes of {@code purposes} that {@code subject} explicitly denied, if the view knows the
   * subject's choice for every one of them; empty when it cannot decide.
   */
  public Optional<List<String>> denied(String subject, List<String> purposes) {
    ConsentChange known = bySubject.get(subject);
    if (known == null || !known.getPurposesMap().keySet().containsAll(purposes)) {
      return Optional.empty();
    }
    return Optional.of(purposes.stream().filter(p -> !known.getPurposesMap().get(p)).toList());
  }

  /** Whether the view holds {@code subject} at {@code version} or later. */
  public boolean knows(String subject, long version) {
    ConsentChange known = bySubject.get(subject);
    return known != null && known.getVersion() >= version;
  }
}
