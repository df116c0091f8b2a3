package io.cdp.collector.rest;

import com.fasterxml.jackson.databind.JsonNode;
import io.cdp.collector.EventBatch;
import io.cdp.collector.Ingestion;
import io.cdp.collector.SegmentBatch;
import io.cdp.collector.SegmentEvents;
import io.cdp.collector.Sources;
import io.cdp.common.rest.ApiException;
import io.cdp.common.rest.WriteKeyAuth;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * The Segment HTTP Tracking API: {@code /v1/track|identify|page|screen|group|alias|batch}. A batch
 * is all or nothing (see {@link EventBatch}). Bodies may be gzip-compressed ({@code
 * Content-Encoding: gzip}).
 */
@Path("/v1")
@WriteKeyAuth
@Consumes(MediaType.WILDCARD)
@Produces(MediaType.APPLICATION_JSON)
public class SegmentResource {

  private static final Map<String, Boolean> SUCCESS = Map.of("success", true);

  private final Sources sources;
  private final JsonBodies bodies;
  private final Ingest ingest;

  public SegmentResource(Sources sources, JsonBodies bodies, Ingest ingest) {
    this.sources = sources;
    this.bodies = bodies;
    this.ingest = ingest;
  }

  @POST
  @Path("/{type: track|identify|page|screen|group|alias}")
  public Uni<Response> single(
      @PathParam("type") String type,
      @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
      byte[] body)
      throws IOException {
    Instant receivedAt = Ingestion.now();
    JsonNode event = bodies.parse(body);
    List<EventBatch.Accepted> events =
        ingest.check(new EventBatch.Request(List.of(event), type, null, null), receivedAt);
    return ingest.forward(
        sources.authenticate(writeKey(authorization, bodyWriteKey(event))), events, ok());
  }

  @POST
  @Path("/batch")
  public Uni<Response> batch(
      @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization, byte[] body)
      throws IOException {
    Instant receivedAt = Ingestion.now();
    SegmentBatch.Read fast = ingest.readBatch(bodies.limit(body), receivedAt);
    if (fast != null) {
      return ingest.forward(
          sources.authenticate(writeKey(authorization, fast.writeKey())), fast.events(), ok());
    }
    JsonNode request = bodies.parse(body);
    if (!request.isObject() || !request.path("batch").isArray()) {
      throw ApiException.badRequest(
          "missing_field", "A batch call needs a 'batch' array of events", "batch");
    }
    List<JsonNode> raw = new ArrayList<>(request.get("batch").size());
    request.get("batch").forEach(raw::add);
    List<EventBatch.Accepted> events =
        ingest.check(
            new EventBatch.Request(
                raw, null, SegmentEvents.textOrNull(request, "sentAt"), request.get("context")),
            receivedAt);
    return ingest.forward(
        sources.authenticate(writeKey(authorization, bodyWriteKey(request))), events, ok());
  }

  private static Response ok() {
    return Response.ok(SUCCESS).build();
  }

  private static String bodyWriteKey(JsonNode body) {
    return body.isObject() ? SegmentEvents.textOrNull(body, "writeKey") : null;
  }

  /** The write key: Basic auth user name (Segment's libraries) or the body's writeKey. */
  private static String writeKey(String authorization, String fromBody) {
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
