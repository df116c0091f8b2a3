package io.cdp.connector.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdp.common.rest.ApiException;
import io.cdp.connector.Signatures;
import io.cdp.connector.TriggerOn;
import io.cdp.connector.store.Connector;
import io.cdp.connector.store.Delivery;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/** {@code /v1/connectors}: destinations, their triggers, and the log of what was delivered. */
@Path("/v1/connectors")
public class ConnectorResource {

  /** Only webhooks in this slice; {@code kafka} and {@code email} come with their delivery. */
  private static final Set<String> SUPPORTED_TYPES = Set.of("webhook");

  private static final int RECENT_DELIVERIES = 100;

  /** What a client sends to create or replace a connector. */
  public record ConnectorRequest(
      String name,
      String type,
      Map<String, Object> config,
      TriggerBody trigger,
      List<String> purposes,
      Map<String, String> mapping) {}

  /** An audience trigger: the audience id and the transition, e.g. {@code joined}. */
  public record TriggerBody(String audience, String on) {}

  /** A connector as the API shows it; {@code secret} only in the answer to its creation. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record ConnectorView(
      String id,
      String secret,
      String name,
      String type,
      Map<String, Object> config,
      TriggerBody trigger,
      List<String> purposes,
      Map<String, String> mapping,
      Instant createdAt,
      Instant updatedAt) {}

  /** One entry of the delivery log. */
  public record DeliveryView(
      String deliveryId,
      String profileId,
      String status,
      int attempts,
      String lastError,
      Instant createdAt,
      Instant updatedAt) {
    static DeliveryView of(Delivery d) {
      return new DeliveryView(
          d.deliveryId, d.profileId, d.status, d.attempts, d.lastError, d.createdAt, d.updatedAt);
    }
  }

  private final ObjectMapper json;

  public ConnectorResource(ObjectMapper json) {
    this.json = json;
  }

  @POST
  @WithTransaction
  public Uni<Response> create(ConnectorRequest body) {
    validate(body);
    Connector connector = new Connector();
    connector.id = UUID.randomUUID();
    connector.secret = Signatures.newSecret();
    connector.createdAt = now();
    apply(body, connector);
    return connector
        .<Connector>persist()
        .map(saved -> Response.status(201).entity(view(saved, saved.secret)).build());
  }

  @GET
  @WithSession
  public Uni<List<ConnectorView>> list() {
    return Connector.<Connector>list("order by createdAt")
        .map(all -> all.stream().map(c -> view(c, null)).toList());
  }

  @GET
  @Path("{id}")
  @WithSession
  public Uni<ConnectorView> get(@PathParam("id") String id) {
    return find(id).map(c -> view(c, null));
  }

  @PUT
  @Path("{id}")
  @WithTransaction
  public Uni<ConnectorView> replace(@PathParam("id") String id, ConnectorRequest body) {
    validate(body);
    return find(id)
        .map(
            connector -> {
              apply(body, connector);
              return view(connector, null);
            });
  }

  @DELETE
  @Path("{id}")
  @WithTransaction
  public Uni<Response> delete(@PathParam("id") String id) {
    return find(id)
        .flatMap(
            connector ->
                Delivery.delete("connectorId", connector.id).flatMap(ignored -> connector.delete()))
        .map(ignored -> Response.noContent().build());
  }

  /** The most recent deliveries first, at most {@value #RECENT_DELIVERIES}. */
  @GET
  @Path("{id}/deliveries")
  @WithSession
  public Uni<List<DeliveryView>> deliveries(@PathParam("id") String id) {
    return find(id)
        .flatMap(
            connector ->
                Delivery.<Delivery>find(
                        "connectorId = ?1 order by createdAt desc, deliveryId", connector.id)
                    .page(0, RECENT_DELIVERIES)
                    .list())
        .map(all -> all.stream().map(DeliveryView::of).toList());
  }

  private static Uni<Connector> find(String id) {
    UUID uuid;
    try {
      uuid = UUID.fromString(id);
    } catch (IllegalArgumentException e) {
      throw ApiException.notFound("Connector " + id);
    }
    return Connector.<Connector>findById(uuid)
        .map(
            connector -> {
              if (connector == null) {
                throw ApiException.notFound("Connector " + id);
              }
              return connector;
            });
  }

  /** Refuses a definition before anything is stored: 400 for missing parts, 422 for bad ones. */
  private static void validate(ConnectorRequest body) {
    if (body == null) {
      throw ApiException.badRequest("missing_body", "Send the connector as JSON", null);
    }
    if (isBlank(body.name())) {
      throw ApiException.badRequest("missing_field", "A connector needs a name", "name");
    }
    if (isBlank(body.type())) {
      throw ApiException.badRequest("missing_field", "A connector needs a type", "type");
    }
    if (!SUPPORTED_TYPES.contains(body.type())) {
      throw ApiException.invalid(
          "unsupported_type", "Unsupported connector type '" + body.type() + "'", "type");
    }
    Object url = body.config() == null ? null : body.config().get("url");
    if (url == null) {
      throw ApiException.badRequest("missing_field", "A webhook needs config.url", "config.url");
    }
    if (!(url instanceof String text) || !isHttpUrl(text)) {
      throw ApiException.invalid(
          "invalid_url", "config.url must be an absolute http(s) URL", "config.url");
    }
    if (body.trigger() == null || isBlank(body.trigger().audience())) {
      throw ApiException.badRequest(
          "missing_field", "A connector needs trigger.audience", "trigger.audience");
    }
    if (body.trigger().on() == null || TriggerOn.parse(body.trigger().on()).isEmpty()) {
      throw ApiException.invalid(
          "invalid_trigger",
          "trigger.on must be one of joined, left, in_audience_at_visit_start,"
              + " in_audience_at_visit_end",
          "trigger.on");
    }
    if (body.purposes() != null && body.purposes().stream().anyMatch(ConnectorResource::isBlank)) {
      throw ApiException.badRequest(
          "invalid_value", "purposes must be non-empty strings", "purposes");
    }
  }

  private void apply(ConnectorRequest body, Connector connector) {
    connector.name = body.name().trim();
    connector.type = body.type();
    connector.configJson = write(body.config());
    connector.triggerAudience = body.trigger().audience();
    connector.triggerOn = body.trigger().on();
    connector.purposesJson = write(body.purposes() == null ? List.of() : body.purposes());
    // Stored as given: evaluating the mapping (CEL) comes with the service's issue.
    connector.mappingJson = write(body.mapping() == null ? Map.of() : body.mapping());
    connector.updatedAt = now();
  }

  private ConnectorView view(Connector c, String secret) {
    return new ConnectorView(
        c.id.toString(),
        secret,
        c.name,
        c.type,
        read(c.configJson, new TypeReference<>() {}),
        new TriggerBody(c.triggerAudience, c.triggerOn),
        read(c.purposesJson, new TypeReference<>() {}),
        read(c.mappingJson, new TypeReference<>() {}),
        c.createdAt,
        c.updatedAt);
  }

  private String write(Object value) {
    try {
      return json.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Parsed JSON is always writable", e);
    }
  }

  private <T> T read(String text, TypeReference<T> type) {
    try {
      return json.readValue(text, type);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Stored connector JSON is unreadable", e);
    }
  }

  private static boolean isHttpUrl(String text) {
    try {
      URI uri = new URI(text);
      return ("http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme()))
          && uri.getHost() != null;
    } catch (URISyntaxException e) {
      return false;
    }
  }

  private static boolean isBlank(String s) {
    return s == null || s.isBlank();
  }

  private static Instant now() {
    return Instant.now().truncatedTo(ChronoUnit.MICROS);
  }
}
