package io.cdp.consent.messaging;

import io.cdp.consent.Consents;
import io.cdp.consent.Subject;
import io.cdp.consent.grpc.IdentityDirectory;
import io.cdp.contracts.identity.v1.IdentityMerge;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Merges of profiles ({@code cdp.identity.merges}, in this service's consumer group: one instance
 * handles each): the consent of the merged profiles is carried over to the survivor ({@link
 * Consents#carryOver}), with who the survivor is now asked of the identity service. A replay finds
 * the survivor holding it all already and changes nothing. While the identity service cannot
 * answer, the merge is tried again rather than skipped.
 */
@ApplicationScoped
public class MergedConsentConsumer {

  private final Consents consents;
  private final IdentityDirectory directory;

  public MergedConsentConsumer(Consents consents, IdentityDirectory directory) {
    this.consents = consents;
    this.directory = directory;
  }

  @Incoming("identity-merges-consent")
  public Uni<Void> merged(IdentityMerge merge) {
    Subject survivor = Subject.ofProfile(merge.getSurvivingProfileId());
    return directory
        .person(survivor)
        .chain(
            person ->
                consents.carryOver(
                    survivor,
                    person.subjects(),
                    merge.getMergedProfileIdsList().stream().map(Subject::ofProfile).toList()))
        .onFailure()
        .retry()
        .withBackOff(Duration.ofSeconds(1), Duration.ofSeconds(30))
        .indefinitely();
  }
}
