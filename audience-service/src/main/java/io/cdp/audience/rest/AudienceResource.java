package io.cdp.audience.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.cdp.audience.AudienceRules;
import io.cdp.audience.store.Audience;
import io.cdp.audience.store.Backfill;
import io.cdp.audience.store.Membership;
import io.cdp.common.rest.ApiError;
import io.cdp.common.rest.ApiException;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * {@code /v1/audiences}: audience definitions, each a name and a CEL rule over the profile. A rule
 * is saved only once it compiled and, if it names attributes, once it was checked against their
 * definitions in the profile service (422 otherwise); while the profile service cannot be asked,
 * such a rule is refused with 503 and {@code Retry-After}, never saved unchecked.
 */
@Path("/v1/audiences")
public class AudienceResource {

  private static final Logger LOG = Logger.getLogger(AudienceResource.class);

  /** What a client is told to wait before retrying a save the profile service's absence refused. */
  static final int RETRY_AFTER_SECONDS = 5;

  /** What a client sends to create or replace an audience. */
  public record AudienceBody(String name, String rule) {}

  /** The evaluation of the audience over existing profiles: {@code running} or {@code done}. */
  public record BackfillView(String status, long evaluated, long total) {
    static BackfillView of(Backfill b) {
      return b == null ? null : new BackfillView(b.status, b.evaluated, b.total);
    }
  }

  /**
   * An audience as the API shows it; {@code size} only on {@code GET /v1/audiences/{id}}, {@code
   * backfill} not in the list.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record AudienceView(
      String id,
      String name,
      String rule,
      Instant createdAt,
      Instant updatedAt,
      Long size,
      BackfillView backfill) {
    static AudienceView of(Audience a, Long size, Backfill backfill) {
      return new AudienceView(
          a.id.toString(),
          a.name,
          a.rule,
          a.createdAt,
          a.updatedAt,
          size,
          BackfillView.of(backfill));
    }
  }

  private final AudienceRules rules;
  private final ProfileAttributes attributes;

  public AudienceResource(AudienceRules rules, ProfileAttributes attributes) {
    this.rules = rules;
    this.attributes = attributes;
  }

  @POST
  public Uni<Response> create(AudienceBody body) {
    return validate(body)
        .chain(
            () ->
                Panache.withTransaction(
                    () -> {
                      Audience audience = new Audience();
                      audience.id = UUID.randomUUID();
                      audience.name = body.name().trim();
                      audience.rule = body.rule();
                      audience.createdAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
                      audience.updatedAt = audience.createdAt;
                      return audience
                          .<Audience>persist()
                          .chain(() -> Backfill.start(audience.id))
                          .map(
                              backfill ->
                                  Response.status(201)
                                      .entity(AudienceView.of(audience, null, backfill))
                                      .build());
                    }));
  }

  @GET
  @WithSession
  public Uni<List<AudienceView>> list() {
    return Audience.<Audience>listAll()
        .map(all -> all.stream().map(a -> AudienceView.of(a, null, null)).toList());
  }

  @GET
  @Path("/{id}")
  @WithSession
  public Uni<AudienceView> get(@PathParam("id") String id) {
    return find(id)
        .chain(
            audience ->
                Membership.count("audienceId", audience.id)
                    .chain(
                        size ->
                            Backfill.<Backfill>findById(audience.id)
                                .map(backfill -> AudienceView.of(audience, size, backfill))));
  }

  /** Replaces name and rule; a changed rule is backfilled over the existing profiles again. */
  @PUT
  @Path("/{id}")
  public Uni<AudienceView> replace(@PathParam("id") String id, AudienceBody body) {
    return validate(body)
        .chain(
            () ->
                Panache.withTransaction(
                    () ->
                        find(id)
                            .chain(
                                audience -> {
                                  boolean ruleChanged = !audience.rule.equals(body.rule());
                                  audience.name = body.name().trim();
                                  audience.rule = body.rule();
                                  audience.updatedAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
                                  return (ruleChanged
                                          ? Backfill.start(audience.id)
                                          : Backfill.<Backfill>findById(audience.id))
                                      .map(backfill -> AudienceView.of(audience, null, backfill));
                                })));
  }

  @DELETE
  @Path("/{id}")
  @WithTransaction
  public Uni<Response> delete(@PathParam("id") String id) {
    return find(id)
        .chain(
            audience ->
                Membership.delete("audienceId", audience.id)
                    .chain(() -> Backfill.delete("audienceId", audience.id))
                    .chain(audience::delete)
                    .replaceWith(Response.noContent().build()));
  }

  private static Uni<Audience> find(String id) {
    UUID uuid;
    try {
      uuid = UUID.fromString(id);
    } catch (IllegalArgumentException e) {
      return Uni.createFrom().failure(ApiException.notFound("Audience " + id));
    }
    return Audience.<Audience>findById(uuid)
        .onItem()
        .ifNull()
        .failWith(() -> ApiException.notFound("Audience " + id));
  }

  /**
   * Refuses a missing name, a rule that does not compile to a bool, or one whose attributes are not
   * defined or used against their types, before anything is read or saved. A rule naming no
   * attribute does not need the profile service.
   */
  private Uni<Void> validate(AudienceBody body) {
    if (body == null || body.name() == null || body.name().isBlank()) {
      throw ApiException.badRequest("missing_field", "An audience needs a name", "name");
    }
    if (body.rule() == null || body.rule().isBlank()) {
      throw ApiException.badRequest("missing_field", "An audience needs a rule", "rule");
    }
    String rule = body.rule();
    boolean namesAttributes;
    try {
      namesAttributes = rules.namesAttributes(rule);
    } catch (AudienceRules.InvalidRuleException e) {
      throw invalidRule(e);
    }
    if (!namesAttributes) {
      return Uni.createFrom().voidItem();
    }
    return attributes
        .types()
        .invoke(
            types -> {
              try {
                rules.check(rule, types);
              } catch (AudienceRules.InvalidRuleException e) {
                throw invalidRule(e);
              }
            })
        .replaceWithVoid();
  }

  private static ApiException invalidRule(AudienceRules.InvalidRuleException e) {
    return ApiException.invalid("invalid_rule", e.getMessage(), "rule");
  }

  /** The rule could not be checked: nothing was saved, and the client may retry shortly. */
  @ServerExceptionMapper
  public Response profileServiceUnavailable(ProfileAttributes.UnavailableException e) {
    LOG.warnf("Refused to save an unchecked rule: %s", e.getMessage());
    return Response.status(503)
        .header("Retry-After", RETRY_AFTER_SECONDS)
        .type(MediaType.APPLICATION_JSON_TYPE)
        .entity(
            ApiError.of(
                "profile_service_unavailable",
                "The rule names attributes and cannot be checked against their definitions now ("
                    + e.getMessage()
                    + "); nothing was saved, retry later",
                "rule"))
        .build();
  }
}
