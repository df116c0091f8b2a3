package io.cdp.collector.rest;

import io.cdp.collector.Sources;
import io.cdp.collector.store.Source;
import io.cdp.common.rest.ApiException;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;

/**
 * {@code /v1/sources}: the sources that may send events, with their write keys. {@code PATCH
 * /v1/sources/{id}} renames or disables a source; a disabled source's events get 401 at once.
 */
@Path("/v1/sources")
public class SourceResource {

  /** What a client sends to create a source. */
  public record NewSource(String name, Tealium tealium) {}

  /** What a client sends to change a source: only the fields present change. */
  public record SourceChange(String name, Boolean enabled) {}

  /** The Tealium account/profile pair that names a source on Tealium-style collection. */
  public record Tealium(String account, String profile) {}

  /** A source as the API shows it. */
  public record SourceView(
      String id,
      String name,
      String writeKey,
      boolean enabled,
      Tealium tealium,
      Instant createdAt) {
    static SourceView of(Source s) {
      Tealium tealium =
          s.tealiumAccount == null ? null : new Tealium(s.tealiumAccount, s.tealiumProfile);
      return new SourceView(s.id.toString(), s.name, s.writeKey, s.enabled, tealium, s.createdAt);
    }
  }

  private final Sources sources;

  public SourceResource(Sources sources) {
    this.sources = sources;
  }

  @POST
  @WithTransaction
  public Uni<Response> create(NewSource body) {
    if (body == null || body.name() == null || body.name().isBlank()) {
      throw ApiException.badRequest("missing_field", "A source needs a name", "name");
    }
    if (body.tealium() != null
        && (isBlank(body.tealium().account()) || isBlank(body.tealium().profile()))) {
      throw ApiException.badRequest(
          "missing_field", "tealium needs both account and profile", "tealium");
    }
    Source source = new Source();
    source.id = UUID.randomUUID();
    source.name = body.name().trim();
    source.writeKey = Sources.newWriteKey();
    source.enabled = true;
    if (body.tealium() != null) {
      source.tealiumAccount = body.tealium().account().trim();
      source.tealiumProfile = body.tealium().profile().trim();
    }
    source.createdAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
    Uni<Long> taken =
        source.tealiumAccount == null
            ? Uni.createFrom().item(0L)
            : Source.count(
                "tealiumAccount = ?1 and tealiumProfile = ?2",
                source.tealiumAccount,
                source.tealiumProfile);
    return taken
        .flatMap(
            count -> {
              if (count > 0) {
                throw new ApiException(
                    409,
                    "tealium_pair_taken",
                    "Another source is bound to this tealium account/profile pair",
                    "tealium");
              }
              return source.<Source>persist();
            })
        .map(
            saved -> {
              sources.remember(saved);
              return Response.status(201).entity(SourceView.of(saved)).build();
            });
  }

  @GET
  @Path("/{id}")
  @WithSession
  public Uni<SourceView> get(@PathParam("id") String id) {
    return find(id).map(SourceView::of);
  }

  @PATCH
  @Path("/{id}")
  @WithTransaction
  public Uni<SourceView> change(@PathParam("id") String id, SourceChange body) {
    if (body == null || (body.name() == null && body.enabled() == null)) {
      throw ApiException.badRequest(
          "missing_field", "Send 'enabled' and/or 'name' to change", "enabled");
    }
    if (body.name() != null && body.name().isBlank()) {
      throw ApiException.badRequest("invalid_value", "A source needs a name", "name");
    }
    return find(id)
        .map(
            source -> {
              if (body.name() != null) {
                source.name = body.name().trim();
              }
              if (body.enabled() != null) {
                source.enabled = body.enabled();
              }
              return source;
            })
        .call(source -> Source.getSession().flatMap(session -> session.flush()))
        .map(
            source -> {
              sources.remember(source);
              return SourceView.of(source);
            });
  }

  private static Uni<Source> find(String id) {
    UUID uuid;
    try {
      uuid = UUID.fromString(id);
    } catch (IllegalArgumentException e) {
      return Uni.createFrom().failure(ApiException.notFound("Source " + id));
    }
    return Source.<Source>findById(uuid)
        .map(
            source -> {
              if (source == null) {
                throw ApiException.notFound("Source " + id);
              }
              return source;
            });
  }

  @GET
  @WithSession
  public Uni<List<SourceView>> list() {
    return Source.<Source>listAll().map(all -> all.stream().map(SourceView::of).toList());
  }

  private static boolean isBlank(String s) {
    return s == null || s.isBlank();
  }
}
