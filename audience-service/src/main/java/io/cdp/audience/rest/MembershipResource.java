package io.cdp.audience.rest;

import io.cdp.audience.store.Audience;
import io.cdp.audience.store.Membership;
import io.cdp.audience.store.ProfileIdentifier;
import io.cdp.common.IdentifierKey;
import io.cdp.common.rest.ApiException;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;

/** {@code /v1/memberships/{type}:{value}}: the audiences a profile is in, found by identifier. */
@Path("/v1/memberships")
public class MembershipResource {

  /** One audience the profile is in. */
  public record AudienceRef(String id, String name, Instant since) {}

  /** The profile's memberships. */
  public record MembershipsView(String profileId, List<AudienceRef> audiences) {}

  @GET
  @Path("/{identifier}")
  @WithSession
  public Uni<MembershipsView> get(@PathParam("identifier") String identifier) {
    String normalised = IdentifierKey.fromPath(identifier).toString();
    return ProfileIdentifier.<ProfileIdentifier>findById(normalised)
        .onItem()
        .ifNull()
        .failWith(() -> ApiException.notFound("Profile " + identifier))
        .chain(row -> memberships(row.profileId));
  }

  private static Uni<MembershipsView> memberships(String profileId) {
    return Membership.<Membership>list("profileId", profileId)
        .chain(
            rows -> {
              List<UUID> ids = rows.stream().map(m -> m.audienceId).toList();
              Uni<List<Audience>> audiences =
                  ids.isEmpty()
                      ? Uni.createFrom().item(List.of())
                      : Audience.<Audience>list("id in ?1", ids);
              return audiences.map(
                  found -> {
                    Map<UUID, Audience> byId =
                        found.stream().collect(Collectors.toMap(a -> a.id, Function.identity()));
                    List<AudienceRef> refs =
                        rows.stream()
                            .filter(m -> byId.containsKey(m.audienceId))
                            .sorted(Comparator.comparing((Membership m) -> m.since))
                            .map(
                                m ->
                                    new AudienceRef(
                                        m.audienceId.toString(),
                                        byId.get(m.audienceId).name,
                                        m.since))
                            .toList();
                    return new MembershipsView(profileId, refs);
                  });
            });
  }
}
