package io.cdp.connector.grpc;

import io.cdp.common.SharedCalls;
import io.cdp.connector.DeliverySource;
import io.cdp.connector.config.DeliveryConfig;
import io.cdp.connector.messaging.ConsentView;
import io.cdp.contracts.consent.v1.CheckRequest;
import io.cdp.contracts.consent.v1.CheckResponse;
import io.cdp.contracts.consent.v1.Consent;
import io.cdp.contracts.consent.v1.EventPosition;
import io.quarkus.grpc.GrpcClient;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Optional;

/**
 * Asks the consent service ({@code Consent.Check}) whether a profile allows a connector's purposes,
 * right before each delivery, so a withdrawal counts from the very next one. A delivery caused by
 * an event names the event's position on {@code cdp.events.resolved}, and the consent service
 * answers once it has applied the consent carried up to that event (the visitor's previous events
 * and this one), whichever of the two services reads the topic faster. While that service cannot
 * answer, the local {@link ConsentView} decides if it knows the subject's explicit choice for every
 * purpose, but never for a delivery caused by an event: the view learns consent carried by events
 * only after the consent service applied it.
 *
 * <p>Deliveries that ask the same question at the same moment (a transition's, one per connector
 * with the same purposes) share one check: a delivery may get the answer to a check that started a
 * round trip before it asked, never an older one.
 */
@ApplicationScoped
public class ConsentGate {

  private final Consent consent;
  private final ConsentView view;
  private final DeliveryConfig config;
  private final SharedCalls<Question, CheckResponse> checking = new SharedCalls<>();

  /** What a check asks: {@code event} is null for a delivery no event caused. */
  private record Question(
      String profileId, List<String> purposes, DeliverySource.EventPosition event) {}

  public ConsentGate(
      @GrpcClient("consent") Consent consent, ConsentView view, DeliveryConfig config) {
    this.consent = consent;
    this.view = view;
    this.config = config;
  }

  /**
   * The purposes of {@code purposes} that {@code profileId} does not allow now, or, for a delivery
   * caused by the event at {@code event} (null for other triggers), once the consent carried up to
   * it counts; a purpose the answer does not mention is not allowed. Fails when the service cannot
   * answer, so the attempt is retried rather than sent unchecked.
   */
  public Uni<List<String>> denied(
      String profileId, List<String> purposes, DeliverySource.EventPosition event) {
    if (purposes.isEmpty()) {
      return Uni.createFrom().item(List.of());
    }
    // The check may be another delivery's and answer on its context: callers emit on their own.
    return checking
        .call(
            new Question(profileId, purposes.stream().distinct().sorted().toList(), event),
            this::check)
        .map(
            answer ->
                purposes.stream()
                    .filter(p -> !answer.getAllowedOrDefault(p, false))
                    .distinct()
                    .toList())
        .onFailure()
        .recoverWithUni(
            e ->
                (event == null ? view.denied(profileId, purposes) : Optional.<List<String>>empty())
                    .map(denied -> Uni.createFrom().item(denied))
                    .orElseGet(() -> Uni.createFrom().failure(e)));
  }

  private Uni<CheckResponse> check(Question question) {
    CheckRequest.Builder request =
        CheckRequest.newBuilder()
            .setProfileId(question.profileId())
            .addAllPurposes(question.purposes());
    if (question.event() != null) {
      request.setAfterEvent(
          EventPosition.newBuilder()
              .setPartition(question.event().partition())
              .setOffset(question.event().offset()));
    }
    return consent
        .check(request.build())
        .ifNoItem()
        .after(config.timeout())
        .failWith(() -> new IllegalStateException("Consent check timed out"));
  }
}
