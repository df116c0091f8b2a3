package io.cdp.identity.rest;

import io.cdp.common.IdentifierKey;
import io.cdp.common.rest.ApiException;
import io.cdp.identity.IdentifierRef;
import io.cdp.identity.Identifiers;
import io.cdp.identity.IdentityResolver;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import java.util.List;
import java.util.Optional;

/**
 * {@code /v1/identities/{type}:{value}}: the profile an identifier belongs to, and the repair of a
 * wrong link (admin token).
 */
@Path("/v1/identities")
public class IdentityResource {

  /** A profile id with every identifier linked to it, written {@code type:value}. */
  public record IdentityView(String profileId, List<String> identifiers) {}

  /** An identifier moved from one profile to a new one, written {@code type:value}. */
  public record DetachView(String identifier, String fromProfileId, String toProfileId) {}

  private final IdentityResolver resolver;
  private final Identifiers identifiers;

  public IdentityResource(IdentityResolver resolver, Identifiers identifiers) {
    this.resolver = resolver;
    this.identifiers = identifiers;
  }

  /** {@code profile_id:<id>} finds a profile by id; a merged profile's id finds the survivor. */
  @GET
  @Path("/{identifier}")
  public Uni<IdentityView> get(@PathParam("identifier") String written) {
    IdentifierKey key = IdentifierKey.fromPath(written);
    Uni<Optional<IdentityResolver.ProfileIdentifiers>> lookup;
    if (IdentifierRef.PROFILE_ID.equals(key.type())) {
      lookup = resolver.lookupProfile(key.value());
    } else {
      // Looked up as events store it: "phone:+49 151 ..." finds phone:+49151...
      Optional<IdentifierRef> identifier = identifiers.normalise(key.type(), key.value());
      if (identifier.isEmpty()) {
        throw ApiException.notFound("Identifier " + written);
      }
      lookup = resolver.lookup(identifier.get());
    }
    return lookup.map(
        found ->
            found
                .map(
                    p ->
                        new IdentityView(
                            p.profileId(),
                            p.identifiers().stream().map(IdentifierRef::key).toList()))
                .orElseThrow(() -> ApiException.notFound("Identifier " + written)));
  }

  /**
   * Removes a wrongly linked identifier from its profile onto a new profile of its own: later
   * events carrying it resolve there. 404 when unknown, 409 when it is the profile's only one.
   */
  @POST
  @Path("/{identifier}/detach")
  public Uni<DetachView> detach(@PathParam("identifier") String written) {
    IdentifierKey key = IdentifierKey.fromPath(written);
    Optional<IdentifierRef> identifier = identifiers.normalise(key.type(), key.value());
    if (identifier.isEmpty()) {
      throw ApiException.notFound("Identifier " + written);
    }
    return resolver
        .detach(identifier.get())
        .onFailure(IdentityResolver.OnlyIdentifierException.class)
        .transform(e -> new ApiException(409, "only_identifier", e.getMessage(), "identifier"))
        .map(
            detached ->
                detached
                    .map(
                        d ->
                            new DetachView(
                                d.identifier().key(), d.fromProfileId(), d.toProfileId()))
                    .orElseThrow(() -> ApiException.notFound("Identifier " + written)));
  }
}
