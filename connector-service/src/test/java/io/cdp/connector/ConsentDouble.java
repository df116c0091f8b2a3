package io.cdp.connector;

import io.cdp.contracts.consent.v1.CheckRequest;
import io.cdp.contracts.consent.v1.CheckResponse;
import io.cdp.contracts.consent.v1.Consent;
import io.grpc.Status;
import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A test double of the consent service: a real gRPC {@code Consent} server in the test app whose
 * answers the test controls. A purpose a test set in {@link #DECISIONS} for a profile is answered
 * as set; any other purpose is allowed. For a profile in {@link #UNAVAILABLE} it answers
 * UNAVAILABLE, as a consent service that is down; for a profile in {@link #SLOW} it answers after
 * {@link #SLOW_ANSWER}. {@link #ASKED} keeps the last check per profile, {@link #CHECKS} counts
 * them.
 */
@GrpcService
public class ConsentDouble implements Consent {

  /** Profile id to purpose to allowed. */
  public static final Map<String, Map<String, Boolean>> DECISIONS = new ConcurrentHashMap<>();

  /** Profile ids whose checks fail as if the service were down. */
  public static final Set<String> UNAVAILABLE = ConcurrentHashMap.newKeySet();

  /** Profile ids whose checks are answered only after {@link #SLOW_ANSWER}. */
  public static final Set<String> SLOW = ConcurrentHashMap.newKeySet();

  // Within the test profile's delivery timeout (1 s), so the check still counts.
  public static final Duration SLOW_ANSWER = Duration.ofMillis(400);

  /** Profile id to the last check asked for it. */
  public static final Map<String, CheckRequest> ASKED = new ConcurrentHashMap<>();

  /** Profile id to how many checks were asked for it. */
  public static final Map<String, AtomicInteger> CHECKS = new ConcurrentHashMap<>();

  @Override
  public Uni<CheckResponse> check(CheckRequest request) {
    ASKED.put(request.getProfileId(), request);
    CHECKS.computeIfAbsent(request.getProfileId(), p -> new AtomicInteger()).incrementAndGet();
    if (UNAVAILABLE.contains(request.getProfileId())) {
      return Uni.createFrom().failure(Status.UNAVAILABLE.asRuntimeException());
    }
    Map<String, Boolean> decided = DECISIONS.getOrDefault(request.getProfileId(), Map.of());
    CheckResponse.Builder answer = CheckResponse.newBuilder();
    request.getPurposesList().forEach(p -> answer.putAllowed(p, decided.getOrDefault(p, true)));
    Uni<CheckResponse> answered = Uni.createFrom().item(answer.build());
    return SLOW.contains(request.getProfileId())
        ? answered.onItem().delayIt().by(SLOW_ANSWER)
        : answered;
  }
}
