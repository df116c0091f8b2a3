package io.cdp.profile.rest;

import io.cdp.common.IdentifierKey;
import io.cdp.common.rest.ApiException;
import io.cdp.profile.store.ProfileStore;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;

/** Profile lookups by any identifier: the personalization API (admin token). */
@Path("/v1/profiles")
public class ProfileResource {

  private final ProfileStore store;

  public ProfileResource(ProfileStore store) {
    this.store = store;
  }

  @GET
  @Path("/{identifier}")
  public Uni<ProfileView> get(@PathParam("identifier") String identifier) {
    String key = IdentifierKey.fromPath(identifier).toString();
    return store
        .byIdentifier(key)
        .map(
            found ->
                found
                    .map(ProfileView::of)
                    .orElseThrow(() -> ApiException.notFound("Profile for " + key)));
  }
}
