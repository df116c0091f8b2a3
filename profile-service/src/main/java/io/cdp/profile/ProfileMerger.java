package io.cdp.profile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cdp.profile.AttributeDefinition.Type;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Folds profiles that identity resolution found to be one person into the surviving one. Pure, so
 * every rule is unit-tested.
 *
 * <p>Rules, per attribute type (the definition's, or for undefined values their JSON shape):
 * numbers add, sets union, tallies add per key, timelines interleave by time within their bound;
 * strings, booleans and dates keep the value of the newer profile (the later {@code last_event_at};
 * the survivor on a tie). Built-ins: {@code event_count} adds, {@code first_seen_at} keeps the
 * earliest and {@code last_event_at} the latest. Traits: the survivor's win, the merged ones fill
 * what it lacks. Badges and identifiers union; the visit with the later last event is kept. The
 * remembered messageIds are united so that a merged profile's event redelivered to the survivor
 * still counts once, and the merge id is remembered so that a redelivered merge folds nothing
 * twice.
 */
public final class ProfileMerger {

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final String MERGE_PREFIX = "merge:";

  private final int rememberedMessageIds;
  private final Clock clock;

  public ProfileMerger(int rememberedMessageIds, Clock clock) {
    this.rememberedMessageIds = rememberedMessageIds;
    this.clock = clock;
  }

  /** Whether {@code survivor} already folded the merge {@code mergeId}. */
  public static boolean applied(LiveProfile survivor, String mergeId) {
    return survivor != null && survivor.recentMessageIds().contains(MERGE_PREFIX + mergeId);
  }

  /**
   * Folds {@code merged} into {@code survivor}.
   *
   * @param survivor the surviving profile, null if it has no profile yet
   * @param survivorId its id
   * @param merged the profiles to fold, in the order the merge names them
   * @return the survivor after the fold; {@code addedIdentifiers} are every identifier of the
   *     merged profiles, all of which must now point to the survivor
   */
  public ProfileUpdate fold(
      LiveProfile survivor,
      String survivorId,
      List<LiveProfile> merged,
      String mergeId,
      Enrichments enrichments) {
    LiveProfile before = survivor != null ? survivor : LiveProfile.empty(survivorId);
    TreeSet<String> identifiers = new TreeSet<>(before.identifiers());
    TreeSet<String> movedIdentifiers = new TreeSet<>();
    ObjectNode traits = before.traits().deepCopy();
    ObjectNode attributes = before.attributes().deepCopy();
    TreeSet<String> badges = new TreeSet<>(before.badges());
    Visit visit = before.visit();
    List<String> messageIds = new ArrayList<>();

    for (LiveProfile other : merged) {
      identifiers.addAll(other.identifiers());
      movedIdentifiers.addAll(other.identifiers());
      other.traits().fields().forEachRemaining(f -> traits.putIfAbsent(f.getKey(), f.getValue()));
      boolean otherIsNewer = lastEventAt(other).isAfter(lastEventAt(before));
      Iterator<Map.Entry<String, JsonNode>> fields = other.attributes().fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> field = fields.next();
        JsonNode mine = attributes.get(field.getKey());
        attributes.set(
            field.getKey(),
            mine == null
                ? field.getValue()
                : fold(field.getKey(), mine, field.getValue(), otherIsNewer, enrichments));
      }
      badges.addAll(other.badges());
      if (visit == null
          || (other.visit() != null && other.visit().lastEventAt().isAfter(visit.lastEventAt()))) {
        visit = other.visit();
      }
      messageIds.addAll(other.recentMessageIds());
    }
    messageIds.addAll(before.recentMessageIds());
    messageIds.add(MERGE_PREFIX + mergeId);

    Set<String> changed = new LinkedHashSet<>();
    if (!identifiers.equals(new TreeSet<>(before.identifiers()))) {
      changed.add("identifiers");
    }
    if (!traits.equals(before.traits())) {
      changed.add("traits");
    }
    attributes
        .fieldNames()
        .forEachRemaining(
            name -> {
              if (!attributes.get(name).equals(before.attributes().get(name))) {
                changed.add(name);
              }
            });
    if (!badges.equals(new TreeSet<>(before.badges()))) {
      changed.add("badges");
    }
    if (visit != before.visit()) {
      changed.add("visit");
    }
    LiveProfile after =
        new LiveProfile(
            survivorId,
            List.copyOf(identifiers),
            traits,
            attributes,
            List.copyOf(badges),
            visit,
            before.version() + 1,
            clock.instant(),
            bounded(messageIds));
    return new ProfileUpdate(
        after, List.copyOf(changed), ProfileUpdate.VisitChange.NONE, List.copyOf(movedIdentifiers));
  }

  private static JsonNode fold(
      String name, JsonNode mine, JsonNode theirs, boolean theirsIsNewer, Enrichments enrichments) {
    switch (name) {
      case ProfileUpdater.EVENT_COUNT:
        return CelValues.numberNode(mine.asDouble() + theirs.asDouble());
      case ProfileUpdater.FIRST_SEEN_AT:
        return instant(theirs).isBefore(instant(mine)) ? theirs : mine;
      case ProfileUpdater.LAST_EVENT_AT:
        return instant(theirs).isAfter(instant(mine)) ? theirs : mine;
      default:
        break;
    }
    Optional<AttributeDefinition> definition = enrichments.definition(name);
    Type type = definition.map(AttributeDefinition::type).orElseGet(() -> shape(mine));
    if (!fits(type, mine) || !fits(type, theirs)) {
      // Values of another type than defined (the definition changed): the newer one wins.
      return theirsIsNewer ? theirs : mine;
    }
    return switch (type) {
      case NUMBER -> CelValues.numberNode(mine.asDouble() + theirs.asDouble());
      case SET -> {
        TreeSet<String> union = new TreeSet<>();
        mine.forEach(element -> union.add(element.asText()));
        theirs.forEach(element -> union.add(element.asText()));
        ArrayNode array = NODES.arrayNode();
        union.forEach(array::add);
        yield array;
      }
      case TALLY -> {
        ObjectNode tally = mine.deepCopy();
        theirs
            .fields()
            .forEachRemaining(
                f ->
                    tally.set(
                        f.getKey(),
                        CelValues.numberNode(
                            tally.path(f.getKey()).asDouble(0) + f.getValue().asDouble())));
        yield tally;
      }
      case TIMELINE -> {
        List<JsonNode> entries = new ArrayList<>();
        mine.forEach(entries::add);
        theirs.forEach(entries::add);
        int max =
            definition
                .map(AttributeDefinition::maxEntries)
                .orElse(AttributeDefinition.DEFAULT_TIMELINE_ENTRIES);
        yield Enrichments.boundedTimeline(entries, max);
      }
      default -> theirsIsNewer ? theirs : mine;
    };
  }

  /** The type a value's JSON shape says, for values without a definition. */
  private static Type shape(JsonNode value) {
    if (value.isNumber()) {
      return Type.NUMBER;
    }
    if (value.isObject()) {
      return Type.TALLY;
    }
    if (value.isArray()) {
      return value.size() > 0 && value.get(0).isObject() ? Type.TIMELINE : Type.SET;
    }
    return value.isBoolean() ? Type.BOOLEAN : Type.STRING;
  }

  private static boolean fits(Type type, JsonNode value) {
    return switch (type) {
      case NUMBER -> value.isNumber();
      case SET, TIMELINE -> value.isArray();
      case TALLY -> value.isObject();
      default -> value.isValueNode();
    };
  }

  private static Instant lastEventAt(LiveProfile profile) {
    JsonNode last = profile.attributes().get(ProfileUpdater.LAST_EVENT_AT);
    return last == null ? Instant.EPOCH : instant(last);
  }

  private static Instant instant(JsonNode date) {
    try {
      return Instant.parse(date.asText());
    } catch (RuntimeException e) {
      return Instant.EPOCH;
    }
  }

  private List<String> bounded(List<String> ids) {
    List<String> distinct = List.copyOf(new LinkedHashSet<>(ids));
    return distinct.subList(Math.max(0, distinct.size() - rememberedMessageIds), distinct.size());
  }
}
