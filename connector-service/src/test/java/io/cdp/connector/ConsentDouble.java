package io.cdp.connector;

import io.cdp.contracts.consent.v1.CheckRequest;
import io.cdp.contracts.consent.v1.CheckResponse;
import io.cdp.contracts.consent.v1.Consent;
import io.grpc.Status;
import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.Uni;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A test double of the consent service: a real gRPC {@code Consent} server in the test app whose
 * answers the test controls. A purpose a test set in {@link #DECISIONS} for a profile is answered
 * as set; any other purpose is allowed. For a profile in {@link #UNAVAILABLE} it answers
 * UNAVAILABLE, as a consent service that is down. {@link #ASKED} keeps the last check per profile.
 */
@GrpcService
public class ConsentDouble implements Consent {

  /** Profile id to purpose to allowed. */
  public static final Map<String, Map<String, Boolean>> DECISIONS = new ConcurrentHashMap<>();

  /** Profile ids whose checks fail as if the service were down. */
  public static final Set<String> UNAVAILABLE = ConcurrentHashMap.newKeySet();

  /** Profile id to the last check asked for it. */
  public static final Map<String, CheckRequest> ASKED = new ConcurrentHashMap<>();

  @Override
  public Uni<CheckResponse> check(CheckRequest request) {
    ASKED.put(request.getProfileId(), request);
    if (UNAVAILABLE.contains(request.getProfileId())) {
      return Uni.createFrom().failure(Status.UNAVAILABLE.asRuntimeException());
    }
    Map<String, Boolean> decided = DECISIONS.getOrDefault(request.getProfileId(), Map.of());
    CheckResponse.Builder answer = CheckResponse.newBuilder();
    request.getPurposesList().forEach(p -> answer.putAllowed(p, decided.getOrDefault(p, true)));
    return Uni.createFrom().item(answer.build());
  }
}
