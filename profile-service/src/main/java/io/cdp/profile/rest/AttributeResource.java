package io.cdp.profile.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.cdp.common.rest.ApiException;
import io.cdp.profile.AttributeSpec;
import io.cdp.profile.EnrichmentRules;
import io.cdp.profile.EnrichmentRules.InvalidDefinitionException;
import io.cdp.profile.Enrichments;
import io.cdp.profile.config.ProfileConfig;
import io.cdp.profile.store.AttributeCatalog;
import io.cdp.profile.store.StoredAttribute;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.List;

/**
 * {@code /v1/attributes}: attribute definitions and their enrichment rules (admin token). A
 * definition is validated and every rule compiled before anything is saved; the compiled rules take
 * effect in this replica when the change is committed ({@link AttributeCatalog}).
 */
@Path("/v1/attributes")
public class AttributeResource {

  /** A stored definition: the spec with every default written out, and its times. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record AttributeView(
      String name,
      String type,
      String scope,
      Integer maxEntries,
      List<AttributeSpec.RuleSpec> enrichments,
      Instant createdAt,
      Instant updatedAt) {}

  private final EnrichmentRules rules;
  private final AttributeCatalog catalog;
  private final int maxAttributes;

  public AttributeResource(EnrichmentRules rules, AttributeCatalog catalog, ProfileConfig config) {
    this.rules = rules;
    this.catalog = catalog;
    this.maxAttributes = config.maxAttributes();
  }

  @POST
  public Uni<Response> create(AttributeSpec body) {
    Enrichments.CompiledAttribute compiled = compile(body);
    String name = compiled.definition().name();
    return Panache.withTransaction(
            () ->
                StoredAttribute.<StoredAttribute>findById(name)
                    .chain(
                        existing -> {
                          if (existing != null) {
                            throw new ApiException(
                                409, "conflict", "Attribute " + name + " already exists", "name");
                          }
                          return StoredAttribute.count();
                        })
                    .chain(
                        count -> {
                          // Every definition is evaluated on every event: the bound keeps that
                          // cost known. Two creations racing may pass it by one.
                          if (count >= maxAttributes) {
                            throw ApiException.invalid(
                                "too_many_attributes",
                                "At most "
                                    + maxAttributes
                                    + " attributes can be defined; delete one first",
                                null);
                          }
                          StoredAttribute stored = new StoredAttribute();
                          catalog.write(compiled.definition(), stored);
                          stored.createdAt = now();
                          stored.updatedAt = stored.createdAt;
                          return stored.<StoredAttribute>persist();
                        }))
        .invoke(() -> catalog.changed(compiled))
        .map(stored -> Response.status(201).entity(view(stored)).build());
  }

  @GET
  public Uni<List<AttributeView>> list() {
    return Panache.withSession(() -> StoredAttribute.<StoredAttribute>listAll())
        .map(
            all -> all.stream().sorted(Comparator.comparing(a -> a.name)).map(this::view).toList());
  }

  @GET
  @Path("/{name}")
  public Uni<AttributeView> get(@PathParam("name") String name) {
    return Panache.withSession(() -> find(name)).map(this::view);
  }

  /**
   * Replaces type, scope and rules. The name cannot change: profile values are kept under it.
   * Values already on profiles stay as they are.
   */
  @PUT
  @Path("/{name}")
  public Uni<AttributeView> replace(@PathParam("name") String name, AttributeSpec body) {
    if (body != null && body.name() != null && !body.name().equals(name)) {
      throw ApiException.invalid(
          "invalid_definition", "The name is the attribute's key and cannot change", "name");
    }
    Enrichments.CompiledAttribute compiled =
        compile(
            body == null
                ? null
                : new AttributeSpec(
                    name, body.type(), body.scope(), body.maxEntries(), body.enrichments()));
    return Panache.withTransaction(
            () ->
                find(name)
                    .invoke(
                        stored -> {
                          catalog.write(compiled.definition(), stored);
                          stored.updatedAt = now();
                        }))
        .invoke(() -> catalog.changed(compiled))
        .map(this::view);
  }

  /** Deletes the definition; values already on profiles stay until the profiles are deleted. */
  @DELETE
  @Path("/{name}")
  public Uni<Response> delete(@PathParam("name") String name) {
    return Panache.withTransaction(() -> find(name).call(StoredAttribute::delete))
        .invoke(() -> catalog.removed(name))
        .map(ignored -> Response.noContent().build());
  }

  /** Validates and compiles before anything is read or saved: a refused body changes nothing. */
  private Enrichments.CompiledAttribute compile(AttributeSpec body) {
    if (body == null) {
      throw ApiException.badRequest("missing_body", "Send the attribute definition as JSON", null);
    }
    try {
      return rules.compile(body.toDefinition());
    } catch (InvalidDefinitionException e) {
      throw ApiException.invalid(e.code(), e.getMessage(), e.field());
    }
  }

  private static Uni<StoredAttribute> find(String name) {
    return StoredAttribute.<StoredAttribute>findById(name)
        .onItem()
        .ifNull()
        .failWith(() -> ApiException.notFound("Attribute " + name));
  }

  private AttributeView view(StoredAttribute stored) {
    AttributeSpec spec = AttributeSpec.of(catalog.definition(stored));
    return new AttributeView(
        spec.name(),
        spec.type(),
        spec.scope(),
        spec.maxEntries(),
        spec.enrichments(),
        stored.createdAt,
        stored.updatedAt);
  }

  private static Instant now() {
    return Instant.now().truncatedTo(ChronoUnit.MICROS);
  }
}
