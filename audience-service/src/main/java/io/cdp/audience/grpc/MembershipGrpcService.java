package io.cdp.audience.grpc;

import io.cdp.audience.store.Audience;
import io.cdp.audience.store.Membership;
import io.cdp.contracts.ProtoTime;
import io.cdp.contracts.audience.v1.AudienceMembership;
import io.cdp.contracts.audience.v1.Memberships;
import io.cdp.contracts.audience.v1.MembershipsRequest;
import io.cdp.contracts.audience.v1.MembershipsResponse;
import io.grpc.Status;
import io.quarkus.grpc.GrpcService;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * gRPC {@code Memberships}: the audiences a profile is in, from PostgreSQL (the durable copy), for
 * the consent service's privacy access API. An unknown profile has no memberships.
 */
@GrpcService
public class MembershipGrpcService implements Memberships {

  @Override
  public Uni<MembershipsResponse> getMemberships(MembershipsRequest request) {
    String profileId = request.getProfileId().trim();
    if (profileId.isEmpty()) {
      return Uni.createFrom()
          .failure(
              Status.INVALID_ARGUMENT.withDescription("Give a profile_id").asRuntimeException());
    }
    return Panache.withSession(
        () ->
            Membership.<Membership>list("profileId", profileId)
                .chain(
                    rows -> {
                      List<UUID> ids = rows.stream().map(m -> m.audienceId).toList();
                      Uni<List<Audience>> audiences =
                          ids.isEmpty()
                              ? Uni.createFrom().item(List.of())
                              : Audience.<Audience>list("id in ?1", ids);
                      return audiences.map(found -> answer(rows, found));
                    }));
  }

  private static MembershipsResponse answer(List<Membership> rows, List<Audience> audiences) {
    Map<UUID, Audience> byId =
        audiences.stream().collect(Collectors.toMap(a -> a.id, Function.identity()));
    MembershipsResponse.Builder answer = MembershipsResponse.newBuilder();
    rows.stream()
        .filter(m -> byId.containsKey(m.audienceId))
        .sorted(Comparator.comparing((Membership m) -> m.since))
        .forEach(
            m ->
                answer.addMemberships(
                    AudienceMembership.newBuilder()
                        .setAudienceId(m.audienceId.toString())
                        .setAudienceName(byId.get(m.audienceId).name)
                        .setSince(ProtoTime.timestamp(m.since))));
    return answer.build();
  }
}
