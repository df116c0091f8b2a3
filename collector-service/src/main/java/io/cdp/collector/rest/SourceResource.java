package io.cdp.collector.rest;

import io.cdp.collector.WriteKeys;
import io.cdp.collector.store.Source;
import io.cdp.common.rest.ApiException;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;

/** {@code /v1/sources}: the sources that may send events, with their write keys. */
@Path("/v1/sources")
public class SourceResource {

  /** What a client sends to create a source. */
  public record NewSource(String name, Tealium tealium) {}

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

  private final WriteKeys writeKeys;

  public SourceResource(WriteKeys writeKeys) {
    this.writeKeys = writeKeys;
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
    source.writeKey = WriteKeys.newWriteKey();
    source.enabled = true;
    if (body.tealium() != null) {
      source.tealiumAccount = body.tealium().account().trim();
      source.tealiumProfile = body.tealium().profile().trim();
    }
    source.createdAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
    return source
        .<Source>persist()
        .map(
            saved -> {
              writeKeys.remember(saved);
              return Response.status(201).entity(SourceView.of(saved)).build();
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
