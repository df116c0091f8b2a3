package io.cdp.consent.messaging;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdp.consent.Consents;
import io.cdp.consent.EventConsent;
import io.cdp.consent.Subject;
import io.cdp.contracts.identity.v1.ResolvedEvent;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Applies consent carried in events ({@link EventConsent}) to the event's profile ({@code
 * profile:<id>}), with source {@code event}, before the record is acknowledged. Consent-aware SDKs
 * send the preferences with every event, so a change is written only when it differs from what the
 * profile chose already: a repeated or redelivered event changes nothing.
 */
@ApplicationScoped
public class EventConsentConsumer {

  private static final Logger LOG = Logger.getLogger(EventConsentConsumer.class);
  private static final String SOURCE = "event";

  /** Cheap test before parsing: most events carry no consent at all. */
  private static final byte[] MARKER = "categoryPreferences".getBytes(StandardCharsets.UTF_8);

  private final Consents consents;
  private final EventConsent eventConsent;
  private final ObjectMapper json;

  public EventConsentConsumer(Consents consents, EventConsent eventConsent, ObjectMapper json) {
    this.consents = consents;
    this.eventConsent = eventConsent;
    this.json = json;
  }

  @Incoming("events-resolved")
  public Uni<Void> consume(ResolvedEvent resolved) {
    byte[] payload = resolved.getEvent().getPayloadJson().toByteArray();
    if (resolved.getProfileId().isEmpty() || !contains(payload, MARKER)) {
      return Uni.createFrom().voidItem();
    }
    Map<String, Boolean> choices;
    try {
      choices = eventConsent.choices(json.readTree(payload));
    } catch (IOException e) {
      LOG.warnf("Event %s has unreadable JSON", resolved.getEvent().getMessageId());
      return Uni.createFrom().voidItem();
    }
    if (choices.isEmpty()) {
      return Uni.createFrom().voidItem();
    }
    Subject subject = Subject.ofProfile(resolved.getProfileId());
    return consents
        .current(subject)
        .chain(
            current -> {
              Map<String, Boolean> known = current == null ? Map.of() : current.getPurposesMap();
              boolean changes =
                  choices.entrySet().stream()
                      .anyMatch(c -> !c.getValue().equals(known.get(c.getKey())));
              return changes
                  ? consents.change(subject, choices, SOURCE).replaceWithVoid()
                  : Uni.createFrom().voidItem();
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
