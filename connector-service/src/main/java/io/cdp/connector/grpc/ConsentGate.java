package io.cdp.connector.grpc;

import io.cdp.connector.config.DeliveryConfig;
import io.cdp.connector.messaging.ConsentView;
import io.cdp.contracts.consent.v1.CheckRequest;
import io.cdp.contracts.consent.v1.Consent;
import io.quarkus.grpc.GrpcClient;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

/**
 * Asks the consent service ({@code Consent.Check}) whether a profile allows a connector's purposes,
 * right before each delivery, so a withdrawal counts from the very next one. While that service
 * cannot answer, the local {@link ConsentView} decides if it knows the subject's explicit choice
 * for every purpose.
 */
@ApplicationScoped
public class ConsentGate {

  private final Consent consent;
  private final ConsentView view;
  private final DeliveryConfig config;

  public ConsentGate(
      @GrpcClient("consent") Consent consent, ConsentView view, DeliveryConfig config) {
    this.consent = consent;
    this.view = view;
    this.config = config;
  }

  /**
   * The purposes of {@code purposes} that {@code profileId} does not allow now; a purpose the
   * answer does not mention is not allowed. Fails when the service cannot answer, so the attempt is
   * retried rather than sent unchecked.
   */
  public Uni<List<String>> denied(String profileId, List<String> purposes) {
    if (purposes.isEmpty()) {
      return Uni.createFrom().item(List.of());
    }
    return consent
        .check(CheckRequest.newBuilder().setProfileId(profileId).addAllPurposes(purposes).build())
        .ifNoItem()
        .after(config.timeout())
        .failWith(() -> new IllegalStateException("Consent check timed out"))
        .map(
            answer ->
                purposes.stream()
                    .filter(p -> !answer.getAllowedOrDefault(p, false))
                    .distinct()
                    .toList())
        .onFailure()
        .recoverWithUni(
            e ->
                view.denied(profileId, purposes)
                    .map(denied -> Uni.createFrom().item(denied))
                    .orElseGet(() -> Uni.createFrom().failure(e)));
  }
}
