package io.cdp.consent;

import io.cdp.contracts.connector.v1.Deliveries;
import io.cdp.contracts.connector.v1.ProfileDeliveriesRequest;
import io.cdp.contracts.connector.v1.ProfileDeliveriesResponse;
import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.Uni;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** A test double of the connector service's {@code Deliveries}: answers what a test registered. */
@GrpcService
public class DeliveriesDouble implements Deliveries {

  private static final Map<String, ProfileDeliveriesResponse> DELIVERIES =
      new ConcurrentHashMap<>();

  public static void deliveries(String profileId, ProfileDeliveriesResponse deliveries) {
    DELIVERIES.put(profileId, deliveries);
  }

  @Override
  public Uni<ProfileDeliveriesResponse> listByProfile(ProfileDeliveriesRequest request) {
    return Uni.createFrom()
        .item(
            DELIVERIES.getOrDefault(
                request.getProfileId(), ProfileDeliveriesResponse.getDefaultInstance()));
  }
}
