package io.cdp.collector;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Maps Tealium-style collect data onto the Segment-spec event the rest of the suite reads: a {@code
 * track} whose {@code event} is {@code tealium_event}, whose {@code anonymousId} is {@code
 * tealium_visitor_id}, whose {@code userId} is the first customer id field present ({@code
 * cdp.collector.tealium.user-id-fields}, default {@code customer_id}), and whose {@code properties}
 * are the other data-layer fields. Pure, so the mapping has unit tests; validation is {@link
 * SegmentEvents}'.
 */
public final class TealiumEvents {

  public static final String ACCOUNT = "tealium_account";
  public static final String PROFILE = "tealium_profile";
  public static final String VISITOR_ID = "tealium_visitor_id";
  public static final String EVENT = "tealium_event";

  /** Fields that name the source or map onto the event itself, so not kept as properties. */
  private static final Set<String> MAPPED = Set.of(ACCOUNT, PROFILE, VISITOR_ID, EVENT);

  /** The account/profile pair that names a source. */
  public record Pair(String account, String profile) {}

  private TealiumEvents() {}

  /** The pair an event names, or null if it lacks either part. */
  public static Pair pair(JsonNode data) {
    String account = SegmentEvents.textOrNull(data, ACCOUNT);
    String profile = SegmentEvents.textOrNull(data, PROFILE);
    return account == null || profile == null ? null : new Pair(account, profile);
  }

  /** {@code event} with the {@code shared} fields it does not set itself (bulk-event). */
  public static JsonNode withShared(JsonNode shared, JsonNode event) {
    if (shared == null || !shared.isObject() || !event.isObject()) {
      return event;
    }
    ObjectNode merged = ((ObjectNode) shared).deepCopy();
    merged.setAll((ObjectNode) event);
    return merged;
  }

  /** The Segment-spec track event for Tealium data; anything but an object is left to refuse. */
  public static JsonNode toSegment(JsonNode data, List<String> userIdFields) {
    if (data == null || !data.isObject()) {
      return data;
    }
    ObjectNode event = SegmentEvents.object();
    event.put("type", "track");
    copyText(data, EVENT, event, "event");
    copyText(data, VISITOR_ID, event, "anonymousId");
    for (String field : userIdFields) {
      JsonNode id = data.get(field);
      if (id != null && (id.isNumber() || (id.isTextual() && !id.asText().isEmpty()))) {
        event.put("userId", id.asText());
        break;
      }
    }
    ObjectNode properties = event.putObject("properties");
    for (Map.Entry<String, JsonNode> field : data.properties()) {
      if (!MAPPED.contains(field.getKey())) {
        properties.set(field.getKey(), field.getValue());
      }
    }
    event.putObject("context").putObject("library").put("name", "tealium-collect");
    return event;
  }

  /** Copies a field as is; a wrong type is then refused by the Segment rules with its name. */
  private static void copyText(JsonNode from, String field, ObjectNode to, String as) {
    JsonNode value = from.get(field);
    if (value != null && !value.isNull()) {
      to.set(as, value);
    }
  }
}
