package io.cdp.collector.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cdp.collector.SegmentEvents;
import io.cdp.collector.WriteKeys;
import io.cdp.collector.messaging.RawEventPublisher;
import io.cdp.common.rest.ApiError;
import io.cdp.common.rest.ApiException;
import io.cdp.common.rest.WriteKeyAuth;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * The Segment HTTP Tracking API: {@code /v1/track|identify|page|screen|group|alias|batch}.
 *
 * <p>A batch is all or nothing: if any event is invalid the answer is 400 listing every bad event
 * by index and reason, and none is accepted, so a client can fix and resend the whole batch without
 * creating duplicates.
 */
@Path("/v1")
@WriteKeyAuth
public class SegmentResource {

  private static final Logger LOG = Logger.getLogger(SegmentResource.class);
  private static final Duration ACK_TIMEOUT = Duration.ofSeconds(10);
  private static final Map<String, Boolean> SUCCESS = Map.of("success", true);

  private final WriteKeys writeKeys;
  private final RawEventPublisher publisher;

  public SegmentResource(WriteKeys writeKeys, RawEventPublisher publisher) {
    this.writeKeys = writeKeys;
    this.publisher = publisher;
  }

  @POST
  @Path("/{type: track|identify|page|screen|group|alias}")
  public Uni<Response> single(
      @PathParam("type") String type,
      @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
      JsonNode body) {
    Instant receivedAt = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    SegmentEvents.Result result = SegmentEvents.normalise(body, type, null, receivedAt);
    if (result.problem() != null) {
      SegmentEvents.Problem p = result.problem();
      throw ApiException.badRequest(p.code(), p.message(), p.field());
    }
    return accept(writeKey(authorization, body), List.of(result.event()));
  }

  @POST
  @Path("/batch")
  public Uni<Response> batch(
      @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization, JsonNode body) {
    Instant receivedAt = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    if (body == null || !body.isObject() || !body.path("batch").isArray()) {
      throw ApiException.badRequest(
          "missing_field", "A batch call needs a 'batch' array of events", "batch");
    }
    String sentAt = SegmentEvents.textOrNull(body, "sentAt");
    JsonNode sharedContext = body.get("context");
    List<ObjectNode> events = new ArrayList<>();
    List<ApiError.Part> problems = new ArrayList<>();
    int index = 0;
    for (JsonNode raw : body.get("batch")) {
      SegmentEvents.Result result = SegmentEvents.normalise(raw, null, sentAt, receivedAt);
      if (result.problem() != null) {
        problems.add(
            new ApiError.Part(
                index,
                result.problem().code(),
                result.problem().message(),
                result.problem().field()));
      } else {
        if (sharedContext != null && sharedContext.isObject() && !result.event().has("context")) {
          result.event().set("context", sharedContext.deepCopy());
        }
        events.add(result.event());
      }
      index++;
    }
    if (!problems.isEmpty()) {
      throw new ApiException(
          400,
          "invalid_batch",
          problems.size() + " of " + index + " events are invalid; none was accepted",
          "batch",
          problems);
    }
    return accept(writeKey(authorization, body), events);
  }

  /** Authenticates, then answers 200 once Kafka holds every event, or 503 if it does not. */
  private Uni<Response> accept(String writeKey, List<ObjectNode> events) {
    return writeKeys
        .authenticate(writeKey)
        .flatMap(
            source -> {
              if (source.isEmpty()) {
                throw new ApiException(
                    401, "invalid_write_key", "Unknown or disabled write key", "writeKey");
              }
              return publisher.publish(source.get().id(), events);
            })
        .ifNoItem()
        .after(ACK_TIMEOUT)
        .fail()
        .map(done -> Response.ok(SUCCESS).build())
        .onFailure(e -> !(e instanceof ApiException))
        .recoverWithItem(
            e -> {
              LOG.warnf("Events not acknowledged by Kafka: %s", e.toString());
              return Response.status(503)
                  .header("Retry-After", "5")
                  .entity(
                      ApiError.of("unavailable", "Events could not be stored; retry later", null))
                  .build();
            });
  }

  /** The write key: Basic auth user name (Segment's libraries) or the body's writeKey. */
  private static String writeKey(String authorization, JsonNode body) {
    if (authorization != null && authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
      try {
        String decoded =
            new String(
                Base64.getDecoder().decode(authorization.substring(6).trim()),
                StandardCharsets.UTF_8);
        int colon = decoded.indexOf(':');
        return colon < 0 ? decoded : decoded.substring(0, colon);
      } catch (IllegalArgumentException e) {
        throw new ApiException(401, "invalid_write_key", "Malformed Basic credentials", null);
      }
    }
    String fromBody = body == null ? null : SegmentEvents.textOrNull(body, "writeKey");
    if (fromBody == null) {
      throw new ApiException(
          401,
          "missing_write_key",
          "Send the write key as the Basic auth user name or as 'writeKey'",
          "writeKey");
    }
    return fromBody;
  }
}
