package io.cdp.connector.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdp.common.rest.ApiException;
import io.cdp.connector.ConnectorRules;
import io.cdp.connector.ConnectorRules.InvalidExpressionException;
import io.cdp.connector.Signatures;
import io.cdp.connector.TriggerOn;
import io.cdp.connector.messaging.DeliveryDispatcher;
import io.cdp.connector.messaging.DestinationGuards;
import io.cdp.connector.store.Connector;
import io.cdp.connector.store.ConnectorCatalog;
import io.cdp.connector.store.Delivery;
import io.cdp.connector.store.SentField;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
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
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Pattern;

/** {@code /v1/connectors}: destinations, their triggers, and the log of what was delivered. */
@Path("/v1/connectors")
public class ConnectorResource {

  /** Connector types: where {@code config} says to deliver. */
  private static final Set<String> SUPPORTED_TYPES = Set.of("webhook", "kafka", "email", "crm");

  /** Kafka's legal topic names. */
  private static final Pattern TOPIC = Pattern.compile("[a-zA-Z0-9._-]{1,249}");

  private static final int RECENT_DELIVERIES = 100;

  /** What a client sends to create or replace a connector. */
  public record ConnectorRequest(
      String name,
      String type,
      Map<String, Object> config,
      TriggerBody trigger,
      List<String> purposes,
      Map<String, String> mapping,
      Boolean erasure,
      RateLimit rateLimit) {}

  /** At most {@code perSecond} calls a second to the destination (per instance of the service). */
  public record RateLimit(Integer perSecond) {}

  /**
   * An audience trigger (the audience id and the transition, e.g. {@code joined}) or an event
   * trigger ({@code event}: a CEL condition over {@code event}).
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record TriggerBody(String audience, String on, String event) {}

  /** The answer to a replay: how many dead deliveries were queued again. */
  public record ReplayView(int replayed) {}

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
      boolean erasure,
      RateLimit rateLimit,
      String circuit,
      Instant createdAt,
      Instant updatedAt) {}

  /** A field that left through the connector, and in how many deliveries. */
  public record FieldView(String field, long deliveries, Instant firstSentAt, Instant lastSentAt) {
    static FieldView of(SentField f) {
      return new FieldView(f.field, f.deliveries, f.firstSentAt, f.lastSentAt);
    }
  }

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
  private final ConnectorRules rules;
  private final DeliveryDispatcher dispatcher;
  private final ConnectorCatalog catalog;
  private final DestinationGuards guards;

  public ConnectorResource(
      ObjectMapper json,
      ConnectorRules rules,
      DeliveryDispatcher dispatcher,
      ConnectorCatalog catalog,
      DestinationGuards guards) {
    this.json = json;
    this.rules = rules;
    this.dispatcher = dispatcher;
    this.catalog = catalog;
    this.guards = guards;
  }

  /** Changes are answered once this instance's catalog has them (other instances: next refresh). */
  @POST
  public Uni<Response> create(ConnectorRequest body) {
    validate(body);
    Connector connector = new Connector();
    connector.id = UUID.randomUUID();
    connector.secret = Signatures.newSecret();
    connector.createdAt = now();
    apply(body, connector);
    return Panache.withTransaction(() -> connector.<Connector>persist())
        .call(catalog::reload)
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
  public Uni<ConnectorView> replace(@PathParam("id") String id, ConnectorRequest body) {
    validate(body);
    return Panache.withTransaction(
            () ->
                find(id)
                    .map(
                        connector -> {
                          apply(body, connector);
                          return view(connector, null);
                        }))
        .call(catalog::reload);
  }

  @DELETE
  @Path("{id}")
  public Uni<Response> delete(@PathParam("id") String id) {
    return Panache.withTransaction(
            () ->
                find(id)
                    .call(connector -> Delivery.delete("connectorId", connector.id))
                    .call(connector -> SentField.delete("connectorId", connector.id))
                    .call(Connector::delete))
        .call(catalog::reload)
        .map(ignored -> Response.noContent().build());
  }

  /**
   * The data minimization report: every field that ever left through the connector, by name, with
   * the number of deliveries that carried it.
   */
  @GET
  @Path("{id}/fields")
  @WithSession
  public Uni<List<FieldView>> fields(@PathParam("id") String id) {
    return find(id)
        .flatMap(connector -> SentField.report(connector.id))
        .map(all -> all.stream().map(FieldView::of).toList());
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

  /**
   * Sends the connector's dead deliveries again, each with its delivery id and stored body, after a
   * fresh consent check. 202: they are queued; the delivery log shows how they went.
   */
  @POST
  @Path("{id}/replay")
  public Uni<Response> replay(@PathParam("id") String id) {
    return Panache.withTransaction(
            () ->
                find(id)
                    .flatMap(
                        connector ->
                            Delivery.<Delivery>list(
                                "connectorId = ?1 and status = ?2", connector.id, Delivery.DEAD))
                    .invoke(
                        dead ->
                            dead.forEach(
                                d -> {
                                  d.status = Delivery.PENDING;
                                  d.updatedAt = now();
                                })))
        // Dispatched once committed, so the worker reads them as pending.
        .invoke(dead -> dead.forEach(d -> dispatcher.submit(d.connectorId, d.deliveryId)))
        .map(dead -> Response.accepted(new ReplayView(dead.size())).build());
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
  private void validate(ConnectorRequest body) {
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
    switch (body.type()) {
      case "kafka" -> validateTopic(body.config());
      case "email" -> {
        validateEmail(body.config(), body.mapping());
        if (Boolean.TRUE.equals(body.erasure())) {
          throw ApiException.badRequest(
              "invalid_value",
              "An email connector cannot take erasure calls; webhook and kafka connectors can",
              "erasure");
        }
      }
      default -> validateUrl(body.config());
    }
    validateTrigger(body.trigger());
    if (body.purposes() != null && body.purposes().stream().anyMatch(ConnectorResource::isBlank)) {
      throw ApiException.badRequest(
          "invalid_value", "purposes must be non-empty strings", "purposes");
    }
    validateMapping(body.mapping());
    if (body.rateLimit() != null
        && (body.rateLimit().perSecond() == null || body.rateLimit().perSecond() < 1)) {
      throw ApiException.invalid(
          "invalid_value", "rateLimit.perSecond must be a whole number of at least 1", "rateLimit");
    }
  }

  private static void validateUrl(Map<String, Object> config) {
    Object url = config == null ? null : config.get("url");
    if (url == null) {
      throw ApiException.badRequest(
          "missing_field", "A webhook or crm connector needs config.url", "config.url");
    }
    if (!(url instanceof String text) || !isHttpUrl(text)) {
      throw ApiException.invalid(
          "invalid_url", "config.url must be an absolute http(s) URL", "config.url");
    }
  }

  private static void validateTopic(Map<String, Object> config) {
    Object topic = config == null ? null : config.get("topic");
    if (topic == null) {
      throw ApiException.badRequest(
          "missing_field", "A kafka connector needs config.topic", "config.topic");
    }
    if (!(topic instanceof String text) || !TOPIC.matcher(text).matches()) {
      throw ApiException.invalid(
          "invalid_topic",
          "config.topic must be a Kafka topic name (letters, digits, '.', '_', '-')",
          "config.topic");
    }
  }

  /** An email goes to a mapped field (so the address is data the mapping sends) with a subject. */
  private static void validateEmail(Map<String, Object> config, Map<String, String> mapping) {
    Object field = config == null ? null : config.get("recipientField");
    if (!(field instanceof String name) || name.isBlank()) {
      throw ApiException.badRequest(
          "missing_field",
          "An email connector needs config.recipientField: the mapped field with the address",
          "config.recipientField");
    }
    if (mapping == null || !mapping.containsKey(name)) {
      throw ApiException.invalid(
          "invalid_config",
          "config.recipientField must name a field of the mapping",
          "config.recipientField");
    }
    if (!(config.get("subject") instanceof String subject) || subject.isBlank()) {
      throw ApiException.badRequest(
          "missing_field", "An email connector needs config.subject", "config.subject");
    }
  }

  private void validateTrigger(TriggerBody trigger) {
    if (trigger == null) {
      throw ApiException.badRequest(
          "missing_field", "A connector needs a trigger (audience and on, or event)", "trigger");
    }
    if (trigger.event() != null) {
      if (trigger.audience() != null || trigger.on() != null) {
        throw ApiException.invalid(
            "invalid_trigger",
            "A trigger is either an audience transition or an event condition, not both",
            "trigger");
      }
      try {
        rules.compileCondition(trigger.event());
      } catch (InvalidExpressionException e) {
        throw ApiException.invalid("invalid_trigger", e.getMessage(), "trigger.event");
      }
      return;
    }
    if (isBlank(trigger.audience())) {
      throw ApiException.badRequest(
          "missing_field", "A connector needs trigger.audience", "trigger.audience");
    }
    if (trigger.on() == null || TriggerOn.parse(trigger.on()).isEmpty()) {
      throw ApiException.invalid(
          "invalid_trigger",
          "trigger.on must be one of joined, left, in_audience_at_visit_start,"
              + " in_audience_at_visit_end",
          "trigger.on");
    }
  }

  /** Every mapping expression must compile; the first bad one (by field name) is reported. */
  private void validateMapping(Map<String, String> mapping) {
    if (mapping == null) {
      return;
    }
    for (var field : new TreeMap<>(mapping).entrySet()) {
      if (isBlank(field.getKey())) {
        throw ApiException.invalid(
            "invalid_mapping", "Mapped field names must be non-empty", "mapping");
      }
      if (isBlank(field.getValue())) {
        throw ApiException.invalid(
            "invalid_mapping",
            "The expression of " + field.getKey() + " is empty",
            "mapping." + field.getKey());
      }
      try {
        rules.compileMapping(field.getValue());
      } catch (InvalidExpressionException e) {
        throw ApiException.invalid("invalid_mapping", e.getMessage(), "mapping." + field.getKey());
      }
    }
  }

  private void apply(ConnectorRequest body, Connector connector) {
    connector.name = body.name().trim();
    connector.type = body.type();
    connector.configJson = write(body.config());
    connector.triggerAudience = body.trigger().audience();
    connector.triggerOn = body.trigger().on();
    connector.triggerEvent = body.trigger().event();
    connector.purposesJson = write(body.purposes() == null ? List.of() : body.purposes());
    connector.mappingJson = write(body.mapping() == null ? Map.of() : body.mapping());
    connector.erasure = Boolean.TRUE.equals(body.erasure());
    connector.rateLimitPerSecond = body.rateLimit() == null ? null : body.rateLimit().perSecond();
    connector.updatedAt = now();
  }

  private ConnectorView view(Connector c, String secret) {
    return new ConnectorView(
        c.id.toString(),
        secret,
        c.name,
        c.type,
        read(c.configJson, new TypeReference<>() {}),
        new TriggerBody(c.triggerAudience, c.triggerOn, c.triggerEvent),
        read(c.purposesJson, new TypeReference<>() {}),
        read(c.mappingJson, new TypeReference<>() {}),
        Boolean.TRUE.equals(c.erasure),
        c.rateLimitPerSecond == null ? null : new RateLimit(c.rateLimitPerSecond),
        guards.circuitState(c.id),
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
