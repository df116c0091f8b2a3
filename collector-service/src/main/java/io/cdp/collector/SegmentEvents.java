package io.cdp.collector;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cdp.common.rest.ApiError;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Validates and normalises one event of the Segment HTTP Tracking API. Pure: no I/O, so every rule
 * here has a unit test.
 */
public final class SegmentEvents {

  /** The call types of the Segment spec. */
  public static final Set<String> TYPES =
      Set.of("track", "identify", "page", "screen", "group", "alias");

  /** Why an event was refused: a stable code, a message and the field at fault. */
  public record Problem(String code, String message, String field) {
    ApiError.Part at(int index) {
      return new ApiError.Part(index, code, message, field);
    }
  }

  /** An event ready to publish, or the problem that refused it. */
  public record Result(ObjectNode event, Instant timestamp, Problem problem) {
    static Result ok(ObjectNode event, Instant timestamp) {
      return new Result(event, timestamp, null);
    }

    static Result refused(String code, String message, String field) {
      return new Result(null, null, new Problem(code, message, field));
    }
  }

  /**
   * Checks {@code raw} and completes it as Segment does: the call type, a {@code messageId} when
   * missing, {@code receivedAt}, and {@code timestamp} corrected for the client's clock skew
   * ({@code timestamp + (receivedAt - sentAt)}), keeping the client's value as {@code
   * originalTimestamp}.
   *
   * @param impliedType the type the endpoint implies ({@code /v1/track}), or null for a batch
   * @param batchSentAt the batch's {@code sentAt}, used when the event has none
   */
  public static Result normalise(
      JsonNode raw, String impliedType, String batchSentAt, Instant receivedAt) {
    if (raw == null || !raw.isObject()) {
      return Result.refused("wrong_type", "An event must be a JSON object", null);
    }
    // Completed in place: every caller hands over a tree parsed for this request alone.
    ObjectNode event = (ObjectNode) raw;
    event.remove("writeKey");

    String type = textOrNull(event, "type");
    if (type == null) {
      type = impliedType;
    }
    if (type == null) {
      return Result.refused("missing_field", "The event has no type", "type");
    }
    if (!TYPES.contains(type) || (impliedType != null && !impliedType.equals(type))) {
      return Result.refused("unknown_type", "Unknown or mismatched type '" + type + "'", "type");
    }
    event.put("type", type);

    for (String field : new String[] {"userId", "anonymousId"}) {
      JsonNode value = event.get(field);
      if (value != null && !value.isNull()) {
        if (value.isNumber()) {
          event.put(field, value.asText()); // Segment's libraries accept numeric ids
        } else if (!value.isTextual()) {
          return Result.refused("wrong_type", field + " must be a string", field);
        }
      }
    }
    if (textOrNull(event, "userId") == null && textOrNull(event, "anonymousId") == null) {
      return Result.refused(
          "missing_identity", "Every event needs a userId or an anonymousId", "userId");
    }
    if (type.equals("track") && textOrNull(event, "event") == null) {
      return Result.refused("missing_field", "A track call needs an event name", "event");
    }
    if (type.equals("alias") && textOrNull(event, "previousId") == null) {
      return Result.refused("missing_field", "An alias call needs a previousId", "previousId");
    }
    if (type.equals("group") && textOrNull(event, "groupId") == null) {
      return Result.refused("missing_field", "A group call needs a groupId", "groupId");
    }
    for (String field : new String[] {"properties", "traits", "context", "integrations"}) {
      JsonNode value = event.get(field);
      if (value != null && !value.isNull() && !value.isObject()) {
        return Result.refused("wrong_type", field + " must be an object", field);
      }
    }
    JsonNode messageId = event.get("messageId");
    if (messageId != null && !messageId.isNull() && !messageId.isTextual()) {
      return Result.refused("wrong_type", "messageId must be a string", "messageId");
    }
    if (textOrNull(event, "messageId") == null) {
      event.put("messageId", UUID.randomUUID().toString());
    }

    Optional<Instant> timestamp;
    Optional<Instant> sentAt;
    try {
      // RudderStack's SDKs send the client's event time as originalTimestamp only
      timestamp = instant(event, "timestamp").or(() -> instant(event, "originalTimestamp"));
      sentAt =
          instant(event, "sentAt")
              .or(() -> Optional.ofNullable(batchSentAt).map(SegmentEvents::parse));
    } catch (DateTimeParseException e) {
      return Result.refused(
          "invalid_value", "Timestamps must be ISO-8601: " + e.getParsedString(), "timestamp");
    }
    Instant corrected = timestamp.orElse(receivedAt);
    if (timestamp.isPresent() && sentAt.isPresent()) {
      corrected = timestamp.get().plus(Duration.between(sentAt.get(), receivedAt));
    }
    timestamp.ifPresent(t -> event.put("originalTimestamp", t.toString()));
    event.put("timestamp", corrected.toString());
    event.put("receivedAt", receivedAt.toString());
    return Result.ok(event, corrected);
  }

  /** A non-empty string field, or null. */
  public static String textOrNull(JsonNode event, String field) {
    JsonNode value = event.get(field);
    return value != null && value.isTextual() && !value.asText().isEmpty() ? value.asText() : null;
  }

  private static Optional<Instant> instant(ObjectNode event, String field) {
    JsonNode value = event.get(field);
    if (value == null || value.isNull()) {
      return Optional.empty();
    }
    if (!value.isTextual()) {
      throw new DateTimeParseException("not a string", value.toString(), 0);
    }
    return Optional.of(parse(value.asText()));
  }

  private static Instant parse(String text) {
    return IsoInstants.parse(text);
  }

  /** An empty object, for callers building events. */
  public static ObjectNode object() {
    return JsonNodeFactory.instance.objectNode();
  }

  private SegmentEvents() {}
}
