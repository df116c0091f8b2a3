package io.cdp.consent;

import io.cdp.contracts.audience.v1.Memberships;
import io.cdp.contracts.audience.v1.MembershipsRequest;
import io.cdp.contracts.audience.v1.MembershipsResponse;
import io.grpc.Status;
import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.Uni;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A test double of the audience service's {@code Memberships}: answers what a test registered,
 * nothing for other profiles, and UNAVAILABLE for the profiles a test marked as unreadable.
 */
@GrpcService
public class MembershipsDouble implements Memberships {

  private static final Map<String, MembershipsResponse> MEMBERSHIPS = new ConcurrentHashMap<>();
  private static final Set<String> UNREADABLE = ConcurrentHashMap.newKeySet();

  public static void memberships(String profileId, MembershipsResponse memberships) {
    MEMBERSHIPS.put(profileId, memberships);
  }

  /** Makes the double fail for {@code profileId}, as an unreachable audience service would. */
  public static void unreadable(String profileId) {
    UNREADABLE.add(profileId);
  }

  @Override
  public Uni<MembershipsResponse> getMemberships(MembershipsRequest request) {
    if (UNREADABLE.contains(request.getProfileId())) {
      return Uni.createFrom()
          .failure(Status.UNAVAILABLE.withDescription("down for the test").asRuntimeException());
    }
    return Uni.createFrom()
        .item(
            MEMBERSHIPS.getOrDefault(
                request.getProfileId(), MembershipsResponse.getDefaultInstance()));
  }
}
