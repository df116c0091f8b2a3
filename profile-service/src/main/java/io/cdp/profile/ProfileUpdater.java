package io.cdp.profile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * How an event becomes a profile: identifiers, traits, built-in attributes and the visit. Pure (the
 * clock only stamps {@code updatedAt}), so every rule is unit-tested without infrastructure.
 *
 * <p>Rules:
 *
 * <ul>
 *   <li>An event whose messageId is among the profile's last applied ones changes nothing, so a
 *       redelivery neither bumps the version nor publishes a change.
 *   <li>Traits: {@code context.traits} of any event, then {@code traits} of an {@code identify},
 *       are merged at the top level; a null value removes the trait.
 *   <li>A new visit starts when the event comes more than the visit timeout after the visit's last
 *       event. Late events (older than the last one) count in the current visit.
 *   <li>Built-in attributes: {@code event_count}, {@code first_seen_at}, {@code last_event_at}.
 * </ul>
 */
public final class ProfileUpdater {

  /** Number of events applied to the profile. */
  public static final String EVENT_COUNT = "event_count";

  /** Time of the profile's earliest event. */
  public static final String FIRST_SEEN_AT = "first_seen_at";

  /** Time of the profile's latest event. */
  public static final String LAST_EVENT_AT = "last_event_at";

  private final Duration visitTimeout;
  private final int rememberedMessageIds;
  private final Clock clock;

  public ProfileUpdater(Duration visitTimeout, int rememberedMessageIds, Clock clock) {
    if (rememberedMessageIds < 1) {
      throw new IllegalArgumentException("rememberedMessageIds must be at least 1");
    }
    this.visitTimeout = visitTimeout;
    this.rememberedMessageIds = rememberedMessageIds;
    this.clock = clock;
  }

  /**
   * Applies {@code event} to {@code current} (null for a profile not seen before).
   *
   * @return the new profile and what changed, or empty when the event was already applied
   */
  public Optional<ProfileUpdate> apply(LiveProfile current, ProfileEvent event) {
    LiveProfile before = current != null ? current : LiveProfile.empty(event.profileId());
    String messageId = event.messageId();
    if (!messageId.isEmpty() && before.recentMessageIds().contains(messageId)) {
      return Optional.empty();
    }
    List<String> changed = new ArrayList<>();

    TreeSet<String> identifiers = new TreeSet<>(before.identifiers());
    List<String> added =
        event.identifiers().stream().distinct().filter(identifiers::add).sorted().toList();
    if (!added.isEmpty()) {
      changed.add("identifiers");
    }

    ObjectNode traits = before.traits().deepCopy();
    mergeTraits(traits, event.payload().path("context").path("traits"));
    if ("identify".equals(event.type())) {
      mergeTraits(traits, event.payload().path("traits"));
    }
    if (!traits.equals(before.traits())) {
      changed.add("traits");
    }

    Instant at = event.timestamp();
    Visit visit = before.visit();
    boolean visitStarted = visit == null || at.isAfter(visit.lastEventAt().plus(visitTimeout));
    Visit nextVisit =
        visitStarted
            ? new Visit(at, at, 1)
            : new Visit(
                earlier(visit.startedAt(), at),
                later(visit.lastEventAt(), at),
                visit.eventCount() + 1);
    changed.add("visit");

    ObjectNode attributes = before.attributes().deepCopy();
    attributes.put(EVENT_COUNT, attributes.path(EVENT_COUNT).asLong(0) + 1);
    changed.add(EVENT_COUNT);
    if (setDate(attributes, FIRST_SEEN_AT, at, true)) {
      changed.add(FIRST_SEEN_AT);
    }
    if (setDate(attributes, LAST_EVENT_AT, at, false)) {
      changed.add(LAST_EVENT_AT);
    }

    LiveProfile after =
        new LiveProfile(
            before.profileId(),
            List.copyOf(identifiers),
            traits,
            attributes,
            nextVisit,
            before.version() + 1,
            clock.instant(),
            remember(before.recentMessageIds(), messageId));
    return Optional.of(new ProfileUpdate(after, List.copyOf(changed), visitStarted, added));
  }

  /** Top-level merge: a later value replaces the trait whole, null removes it. */
  private static void mergeTraits(ObjectNode traits, JsonNode incoming) {
    if (!incoming.isObject()) {
      return;
    }
    Iterator<Map.Entry<String, JsonNode>> fields = incoming.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> field = fields.next();
      if (field.getValue().isNull()) {
        traits.remove(field.getKey());
      } else {
        traits.set(field.getKey(), field.getValue().deepCopy());
      }
    }
  }

  /** Sets a date attribute (ISO-8601) if unset, or if {@code at} is earlier/later; says if set. */
  private static boolean setDate(ObjectNode attributes, String name, Instant at, boolean earliest) {
    JsonNode current = attributes.get(name);
    if (current != null && current.isTextual()) {
      Instant known = Instant.parse(current.asText());
      if (earliest ? !at.isBefore(known) : !at.isAfter(known)) {
        return false;
      }
    }
    attributes.put(name, at.toString());
    return true;
  }

  private List<String> remember(List<String> recent, String messageId) {
    if (messageId.isEmpty()) {
      return recent;
    }
    List<String> next = new ArrayList<>(recent);
    next.add(messageId);
    int excess = next.size() - rememberedMessageIds;
    return List.copyOf(excess > 0 ? next.subList(excess, next.size()) : next);
  }

  private static Instant earlier(Instant a, Instant b) {
    return a.isBefore(b) ? a : b;
  }

  private static Instant later(Instant a, Instant b) {
    return a.isAfter(b) ? a : b;
  }
}
