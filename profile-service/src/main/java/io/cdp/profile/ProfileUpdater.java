package io.cdp.profile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cdp.profile.AttributeDefinition.Timing;
import io.cdp.profile.ProfileUpdate.VisitChange;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * How an event becomes a profile: identifiers, traits, built-in attributes, the visit, then the
 * enrichment rules of the defined attributes ({@link Enrichments}). Pure (the clock only stamps
 * {@code updatedAt}), so every rule is unit-tested without infrastructure.
 *
 * <p>Rules:
 *
 * <ul>
 *   <li>An event whose messageId is among the profile's last applied ones changes nothing, so a
 *       redelivery neither bumps the version nor publishes a change.
 *   <li>Traits: {@code context.traits} of any event, then {@code traits} of an {@code identify},
 *       are merged at the top level; a null value removes the trait.
 *   <li>A new visit starts when the event comes more than the visit timeout after the visit's last
 *       event, or after the visit scan ended the visit ({@link #endVisit}). Late events (older than
 *       the last one) count in the current visit. A new visit first resets the visit-scoped
 *       attributes.
 *   <li>Built-in attributes: {@code event_count}, {@code first_seen_at}, {@code last_event_at}.
 *   <li>Then the rules of the defined attributes whose timing the event meets, in the order {@link
 *       Enrichments} documents.
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
   * Applies {@code event} to {@code current} (null for a profile not seen before), then the rules
   * of {@code enrichments} whose timing the event meets: {@code any event}, {@code new visitor}
   * (the profile is new), {@code new visit} (the event started a visit, after which visit-scoped
   * attributes were reset).
   *
   * @return the new profile and what changed, or empty when the event was already applied
   */
  public Optional<ProfileUpdate> apply(
      LiveProfile current, ProfileEvent event, Enrichments enrichments) {
    LiveProfile before = current != null ? current : LiveProfile.empty(event.profileId());
    String messageId = event.messageId();
    if (!messageId.isEmpty() && before.recentMessageIds().contains(messageId)) {
      return Optional.empty();
    }
    Set<String> changed = new LinkedHashSet<>();

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
    boolean visitStarted =
        visit == null || visit.ended() || at.isAfter(visit.lastEventAt().plus(visitTimeout));
    Visit nextVisit =
        visitStarted
            ? new Visit(at, at, 1, false)
            : new Visit(
                earlier(visit.startedAt(), at),
                later(visit.lastEventAt(), at),
                visit.eventCount() + 1,
                false);
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

    TreeSet<String> badges = new TreeSet<>(before.badges());
    if (!enrichments.isEmpty()) {
      Enrichments.Target target =
          new Enrichments.Target(
              attributes,
              badges,
              new ProfileVariables(
                  before.profileId(), identifiers, traits, attributes, badges, nextVisit));
      if (visitStarted && visit != null) {
        changed.addAll(enrichments.resetVisitScoped(target));
      }
      Set<Timing> timings = EnumSet.of(Timing.ANY_EVENT);
      if (current == null) {
        timings.add(Timing.NEW_VISITOR);
      }
      if (visitStarted) {
        timings.add(Timing.NEW_VISIT);
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> eventVars = (Map<String, Object>) CelValues.toCel(event.payload());
      changed.addAll(enrichments.apply(target, timings, eventVars, at));
    }

    LiveProfile after =
        new LiveProfile(
            before.profileId(),
            List.copyOf(identifiers),
            traits,
            attributes,
            List.copyOf(badges),
            nextVisit,
            before.version() + 1,
            clock.instant(),
            remember(before.recentMessageIds(), messageId));
    return Optional.of(
        new ProfileUpdate(
            after,
            List.copyOf(changed),
            visitStarted ? VisitChange.STARTED : VisitChange.NONE,
            added));
  }

  /**
   * Ends {@code profile}'s visit if it has been idle longer than the visit timeout at {@code now},
   * and applies the {@code visit ended} rules (with an empty {@code event}; {@code now} in a date
   * rule is the time of the scan). Visit-scoped values stay until the next visit starts, so
   * audiences can still read the visit that just ended.
   *
   * @return the profile with its visit ended, or empty if it has no open, expired visit
   */
  public Optional<ProfileUpdate> endVisit(
      LiveProfile profile, Instant now, Enrichments enrichments) {
    Visit visit = profile.visit();
    if (visit == null || visit.ended() || !now.isAfter(visit.lastEventAt().plus(visitTimeout))) {
      return Optional.empty();
    }
    Visit ended = new Visit(visit.startedAt(), visit.lastEventAt(), visit.eventCount(), true);
    ObjectNode attributes = profile.attributes().deepCopy();
    TreeSet<String> badges = new TreeSet<>(profile.badges());
    Enrichments.Target target =
        new Enrichments.Target(
            attributes,
            badges,
            new ProfileVariables(
                profile.profileId(),
                profile.identifiers(),
                profile.traits(),
                attributes,
                badges,
                ended));
    Set<String> changed = new LinkedHashSet<>();
    changed.add("visit");
    changed.addAll(enrichments.apply(target, EnumSet.of(Timing.VISIT_ENDED), Map.of(), now));
    LiveProfile after =
        new LiveProfile(
            profile.profileId(),
            profile.identifiers(),
            profile.traits(),
            attributes,
            List.copyOf(badges),
            ended,
            profile.version() + 1,
            clock.instant(),
            profile.recentMessageIds());
    return Optional.of(
        new ProfileUpdate(after, List.copyOf(changed), VisitChange.ENDED, List.of()));
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
