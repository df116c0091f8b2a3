package io.cdp.collector;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cdp.common.rest.ApiError;
import io.cdp.common.rest.ApiException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The events of one request (one call, a batch, a Tealium bulk or a gRPC batch), checked together.
 * A request is all or nothing: if any event is refused the whole request is, with every bad event
 * named by index and reason, so a client can fix and resend it without creating duplicates.
 */
public final class EventBatch {

  /**
   * An event ready for Kafka: the normalised fields a record needs (ids non-empty or null), its
   * JSON as it will be stored, and its corrected time and arrival (kept as values so they are not
   * parsed back from the JSON).
   */
  public record Accepted(
      String messageId,
      String type,
      String event,
      String userId,
      String anonymousId,
      byte[] payload,
      Instant timestamp,
      Instant receivedAt) {

    static Accepted of(ObjectNode event, byte[] payload, Instant timestamp, Instant receivedAt) {
      return new Accepted(
          event.get("messageId").asText(),
          event.get("type").asText(),
          SegmentEvents.textOrNull(event, "event"),
          SegmentEvents.textOrNull(event, "userId"),
          SegmentEvents.textOrNull(event, "anonymousId"),
          payload,
          timestamp,
          receivedAt);
    }
  }

  /** The size limits every entry point shares. */
  public record Limits(long maxEventBytes, int maxEvents) {}

  /**
   * The events of a request as sent, before checking.
   *
   * @param events the raw events, in order
   * @param impliedType the type the endpoint implies ({@code /v1/track}), or null for a batch
   * @param sentAt the request's {@code sentAt}, used for events without one
   * @param sharedContext a {@code context} given once for every event that has none, or null
   */
  public record Request(
      List<JsonNode> events, String impliedType, String sentAt, JsonNode sharedContext) {}

  private EventBatch() {}

  /**
   * Normalises every event of {@code request}, or refuses it: 400 {@code too_many_events} above the
   * batch limit; for one bad event of a single call its own code (413 {@code event_too_large} for
   * size); for a batch, 400 {@code invalid_batch} with every bad event by index.
   */
  public static List<Accepted> check(
      Request request, Instant receivedAt, Limits limits, ObjectMapper json) {
    if (request.events().size() > limits.maxEvents()) {
      throw ApiException.badRequest(
          "too_many_events",
          "A request may carry at most "
              + limits.maxEvents()
              + " events; this one has "
              + request.events().size(),
          "batch");
    }
    List<Accepted> accepted = new ArrayList<>(request.events().size());
    List<ApiError.Part> problems = new ArrayList<>();
    int index = 0;
    for (JsonNode raw : request.events()) {
      SegmentEvents.Result result =
          SegmentEvents.normalise(raw, request.impliedType(), request.sentAt(), receivedAt);
      SegmentEvents.Problem problem = result.problem();
      if (problem == null) {
        ObjectNode event = result.event();
        if (request.sharedContext() != null
            && request.sharedContext().isObject()
            && !event.has("context")) {
          event.set("context", request.sharedContext()); // shared, never changed after
        }
        byte[] payload = serialise(event, json);
        if (payload.length > limits.maxEventBytes()) {
          problem =
              new SegmentEvents.Problem(
                  "event_too_large",
                  "The event is "
                      + payload.length
                      + " bytes; the limit is "
                      + limits.maxEventBytes(),
                  null);
        } else {
          accepted.add(Accepted.of(event, payload, result.timestamp(), receivedAt));
        }
      }
      if (problem != null) {
        problems.add(new ApiError.Part(index, problem.code(), problem.message(), problem.field()));
      }
      index++;
    }
    if (problems.isEmpty()) {
      return accepted;
    }
    if (request.impliedType() != null && request.events().size() == 1) {
      ApiError.Part only = problems.get(0);
      int status = only.code().equals("event_too_large") ? 413 : 400;
      throw new ApiException(status, only.code(), only.message(), only.field());
    }
    throw new ApiException(
        400,
        "invalid_batch",
        problems.size() + " of " + index + " events are invalid; none was accepted",
        "batch",
        problems);
  }

  private static byte[] serialise(ObjectNode event, ObjectMapper json) {
    try {
      return json.writeValueAsBytes(event);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("A parsed event did not serialise", e);
    }
  }
}
