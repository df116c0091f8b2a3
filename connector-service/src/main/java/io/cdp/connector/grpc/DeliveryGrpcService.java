package io.cdp.connector.grpc;

import io.cdp.connector.store.Connector;
import io.cdp.connector.store.Delivery;
import io.cdp.contracts.ProtoTime;
import io.cdp.contracts.connector.v1.Deliveries;
import io.cdp.contracts.connector.v1.DeliveryRecord;
import io.cdp.contracts.connector.v1.ProfileDeliveriesRequest;
import io.cdp.contracts.connector.v1.ProfileDeliveriesResponse;
import io.grpc.Status;
import io.quarkus.grpc.GrpcService;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * gRPC {@code Deliveries}: what the delivery log holds about one profile (status, attempts, which
 * connector; never the body), most recent first, for the consent service's privacy access API.
 */
@GrpcService
public class DeliveryGrpcService implements Deliveries {

  /** The answer's size when the caller names none, and its ceiling. */
  private static final int DEFAULT_LIMIT = 500;

  @Override
  public Uni<ProfileDeliveriesResponse> listByProfile(ProfileDeliveriesRequest request) {
    String profileId = request.getProfileId().trim();
    if (profileId.isEmpty()) {
      return Uni.createFrom()
          .failure(
              Status.INVALID_ARGUMENT.withDescription("Give a profile_id").asRuntimeException());
    }
    int limit =
        request.getLimit() <= 0 ? DEFAULT_LIMIT : Math.min(request.getLimit(), DEFAULT_LIMIT);
    return Panache.withSession(
        () ->
            Delivery.<Delivery>find("profileId = ?1 order by createdAt desc, deliveryId", profileId)
                .page(0, limit)
                .list()
                .chain(
                    deliveries -> {
                      List<UUID> ids =
                          deliveries.stream().map(d -> d.connectorId).distinct().toList();
                      Uni<List<Connector>> connectors =
                          ids.isEmpty()
                              ? Uni.createFrom().item(List.of())
                              : Connector.<Connector>list("id in ?1", ids);
                      return connectors.map(found -> answer(deliveries, found));
                    }));
  }

  private static ProfileDeliveriesResponse answer(
      List<Delivery> deliveries, List<Connector> connectors) {
    Map<UUID, String> names = connectors.stream().collect(Collectors.toMap(c -> c.id, c -> c.name));
    ProfileDeliveriesResponse.Builder answer = ProfileDeliveriesResponse.newBuilder();
    for (Delivery d : deliveries) {
      answer.addDeliveries(
          DeliveryRecord.newBuilder()
              .setDeliveryId(d.deliveryId)
              .setConnectorId(d.connectorId.toString())
              .setConnectorName(names.getOrDefault(d.connectorId, ""))
              .setStatus(d.status)
              .setAttempts(d.attempts)
              .setLastError(d.lastError == null ? "" : d.lastError)
              .setCreatedAt(ProtoTime.timestamp(d.createdAt))
              .setUpdatedAt(ProtoTime.timestamp(d.updatedAt)));
    }
    return answer.build();
  }
}
