package io.cdp.consent.messaging;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdp.consent.Consents;
import io.cdp.consent.EventConsent;
import io.cdp.consent.Subject;
import io.cdp.consent.grpc.PersonCache;
import io.cdp.consent.store.AppliedEvents;
import io.cdp.contracts.identity.v1.ResolvedEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Applies consent carried in events ({@link EventConsent}: Segment categories, TCF strings, Google
 * Consent Mode flags, and the country that decides defaults) to the event's profile ({@code
 * profile:<id>}) before the record is acknowledged. Consent-aware SDKs send the same signals with
 * every event, so a change is written only when it differs from what the profile holds already: a
 * repeated or redelivered event changes nothing. Once an event is applied (or found to carry
 * nothing), its offset is recorded in {@link AppliedEvents}, for checks caused by that event.
 */
@ApplicationScoped
public class EventConsentConsumer {

  private static final Logger LOG = Logger.getLogger(EventConsentConsumer.class);

  /** Cheap test before parsing: most events carry no consent and no location at all. */
  private static final List<byte[]> MARKERS =
      Stream.of(
              "categoryPreferences", "googleConsentMode", "gdpr_consent", "\"tcf\"", "\"country\"")
          .map(marker -> marker.getBytes(StandardCharsets.UTF_8))
          .toList();

  private final Consents consents;
  private final EventConsent eventConsent;
  private final ObjectMapper json;
  private final PersonCache people;
  private final AppliedEvents appliedEvents;

  public EventConsentConsumer(
      Consents consents,
      EventConsent eventConsent,
      ObjectMapper json,
      PersonCache people,
      AppliedEvents appliedEvents) {
    this.consents = consents;
    this.eventConsent = eventConsent;
    this.json = json;
    this.people = people;
    this.appliedEvents = appliedEvents;
  }

  /**
   * One poll at a time: every event tells checks who its profile is, those carrying consent are
   * applied one after the other in order, and then each partition's last offset is recorded. One
   * record at a time held this consumer to ~150 events/s, and checks of new visitors that came
   * before it had read their creating event asked the identity service (./cdp bench pipeline).
   */
  @Incoming("events-resolved")
  public Uni<Void> consume(ConsumerRecords<String, ResolvedEvent> batch) {
    Map<Integer, Long> lastOffsets = new HashMap<>();
    for (ConsumerRecord<String, ResolvedEvent> record : batch) {
      learn(record.value(), Instant.ofEpochMilli(record.timestamp()));
      lastOffsets.merge(record.partition(), record.offset(), Math::max);
    }
    return Multi.createFrom()
        .iterable(batch)
        .onItem()
        .transformToUniAndConcatenate(record -> apply(record.value()))
        .collect()
        .last()
        // A poll holds a partition's records in order: its last offset covers all before it
        .invoke(() -> lastOffsets.forEach(appliedEvents::applied))
        .replaceWithVoid();
  }

  /** Tells checks who the event's profile is: all of it if the event created it, else a part. */
  private void learn(ResolvedEvent resolved, Instant writtenAt) {
    if (resolved.getProfileId().isEmpty()) {
      return;
    }
    List<Subject> identifiers =
        resolved.getIdentifiersList().stream()
            .map(id -> new Subject(id.getType(), id.getValue()))
            .toList();
    if (resolved.getProfileCreated()) {
      people.created(resolved.getProfileId(), identifiers, writtenAt);
    } else {
      people.learn(resolved.getProfileId(), identifiers);
    }
  }

  private Uni<Void> apply(ResolvedEvent resolved) {
    byte[] payload = resolved.getEvent().getPayloadJson().toByteArray();
    if (resolved.getProfileId().isEmpty()
        || MARKERS.stream().noneMatch(marker -> contains(payload, marker))) {
      return Uni.createFrom().voidItem();
    }
    EventConsent.Found found;
    try {
      found = eventConsent.find(json.readTree(payload));
    } catch (IOException e) {
      LOG.warnf("Event %s has unreadable JSON", resolved.getEvent().getMessageId());
      return Uni.createFrom().voidItem();
    }
    if (found.isEmpty()) {
      return Uni.createFrom().voidItem();
    }
    Subject subject = Subject.ofProfile(resolved.getProfileId());
    return consents
        .current(subject)
        .chain(
            current -> {
              Map<String, Boolean> known = current == null ? Map.of() : current.getPurposesMap();
              Map<String, Boolean> changed = new TreeMap<>(found.choices());
              changed.entrySet().removeIf(c -> c.getValue().equals(known.get(c.getKey())));
              boolean newPlace =
                  found.country() != null
                      && (current == null || !found.country().equals(current.getJurisdiction()));
              if (changed.isEmpty() && !newPlace) {
                return Uni.createFrom().voidItem();
              }
              Consents.Update update =
                  new Consents.Update(
                      changed,
                      found.source().isEmpty() ? EventConsent.CATEGORIES : found.source(),
                      found.tcf(),
                      found.country());
              return consents.change(subject, update).replaceWithVoid();
            });
  }

  private static boolean contains(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i <= haystack.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }
}
