package io.cdp.collector.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cdp.collector.EventBatch;
import io.cdp.collector.Ingestion;
import io.cdp.collector.SegmentEvents;
import io.cdp.collector.Sources;
import io.cdp.collector.TealiumEvents;
import io.cdp.collector.config.CollectorConfig;
import io.cdp.common.rest.ApiException;
import io.cdp.common.rest.WriteKeyAuth;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Tealium-style collect: {@code POST /event}, {@code POST /bulk-event} ({@code {"shared": {...},
 * "events": [...]}}) and the pixel {@code GET /event?...}. The {@code tealium_account}/{@code
 * tealium_profile} pair names the source (bound when it was created); an unknown pair gets 401.
 * Events are mapped by {@link TealiumEvents}, then checked and forwarded exactly as the Segment
 * API's are: all or nothing, 200 only once durable on Kafka.
 */
@Path("/")
@WriteKeyAuth
@Consumes(MediaType.WILDCARD)
@Produces(MediaType.APPLICATION_JSON)
public class TealiumResource {

  /** Tealium's answer to its pixel: a transparent 1x1 GIF. */
  private static final byte[] PIXEL =
      HexFormat.of()
          .parseHex(
              "47494638396101000100800000000000ffffff21f90401000000002c00000000010001000002024401003b");

  private static final Map<String, Boolean> SUCCESS = Map.of("success", true);

  private final Sources sources;
  private final JsonBodies bodies;
  private final Ingest ingest;
  private final List<String> userIdFields;

  public TealiumResource(
      Sources sources, JsonBodies bodies, Ingest ingest, CollectorConfig config) {
    this.sources = sources;
    this.bodies = bodies;
    this.ingest = ingest;
    this.userIdFields = config.tealium().userIdFields();
  }

  @POST
  @Path("/event")
  public Uni<Response> event(byte[] body) throws IOException {
    return one(bodies.parse(body), Response.ok(SUCCESS).build());
  }

  @GET
  @Path("/event")
  @Produces({"image/gif", MediaType.APPLICATION_JSON})
  public Uni<Response> pixel(@Context UriInfo uri) {
    ObjectNode data = SegmentEvents.object();
    uri.getQueryParameters().forEach((name, values) -> data.put(name, values.get(0)));
    Response gif =
        Response.ok(PIXEL, "image/gif").header("Cache-Control", "no-store, max-age=0").build();
    return one(data, gif);
  }

  @POST
  @Path("/bulk-event")
  public Uni<Response> bulk(byte[] body) throws IOException {
    Instant receivedAt = Ingestion.now();
    JsonNode request = bodies.parse(body);
    if (!request.isObject() || !request.path("events").isArray()) {
      throw ApiException.badRequest(
          "missing_field", "A bulk-event call needs an 'events' array", "events");
    }
    JsonNode shared = request.get("shared");
    List<JsonNode> events = new ArrayList<>(request.get("events").size());
    TealiumEvents.Pair pair = null;
    for (JsonNode raw : request.get("events")) {
      JsonNode data = TealiumEvents.withShared(shared, raw);
      TealiumEvents.Pair named = data.isObject() ? TealiumEvents.pair(data) : null;
      if (named == null) {
        throw missingPair();
      }
      if (pair != null && !pair.equals(named)) {
        throw ApiException.badRequest(
            "mixed_sources",
            "Every event of a bulk-event call must name the same tealium account/profile",
            TealiumEvents.ACCOUNT);
      }
      pair = named;
      events.add(TealiumEvents.toSegment(data, userIdFields));
    }
    if (pair == null) {
      throw ApiException.badRequest("missing_field", "The 'events' array is empty", "events");
    }
    List<EventBatch.Accepted> accepted =
        ingest.check(new EventBatch.Request(events, null, null, null), receivedAt);
    return ingest.forward(
        sources.byTealium(pair.account(), pair.profile()), accepted, Response.ok(SUCCESS).build());
  }

  private Uni<Response> one(JsonNode data, Response ok) {
    Instant receivedAt = Ingestion.now();
    if (!data.isObject()) {
      throw ApiException.badRequest("wrong_type", "An event must be a JSON object", null);
    }
    TealiumEvents.Pair pair = TealiumEvents.pair(data);
    if (pair == null) {
      throw missingPair();
    }
    List<EventBatch.Accepted> accepted =
        ingest.check(
            new EventBatch.Request(
                List.of(TealiumEvents.toSegment(data, userIdFields)), "track", null, null),
            receivedAt);
    return ingest.forward(sources.byTealium(pair.account(), pair.profile()), accepted, ok);
  }

  private static ApiException missingPair() {
    return ApiException.badRequest(
        "missing_field",
        "Name the source with tealium_account and tealium_profile",
        TealiumEvents.ACCOUNT);
  }
}
