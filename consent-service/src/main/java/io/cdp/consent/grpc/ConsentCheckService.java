package io.cdp.consent.grpc;

import io.cdp.consent.ConsentPolicy;
import io.cdp.consent.Consents;
import io.cdp.consent.Subject;
import io.cdp.consent.Subject.InvalidIdentifierException;
import io.cdp.consent.config.ConsentConfig;
import io.cdp.consent.store.AppliedEvents;
import io.cdp.contracts.consent.v1.CheckRequest;
import io.cdp.contracts.consent.v1.CheckResponse;
import io.cdp.contracts.consent.v1.Consent;
import io.grpc.Status;
import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.Uni;

/**
 * {@code Consent.Check}: whether a person allows each purpose now. The subject is widened to the
 * person (the identity service's Lookup): consent given under an email counts for a check by
 * profile id, and the latest choice per purpose wins ({@link PersonCache} keeps who a subject is
 * for a few seconds). Reads the same state the API just wrote (cache, then PostgreSQL, then the
 * defaults), so a withdrawal counts from the very next check. A check caused by an event ({@code
 * after_event}) first waits until the consent carried by that event and the earlier ones on its
 * partition is applied ({@link AppliedEvents}), and fails UNAVAILABLE if that takes longer than
 * {@code cdp.consent.event-wait}: the caller retries rather than deliver against a withdrawal still
 * on its way.
 */
@GrpcService
public class ConsentCheckService implements Consent {

  private final Consents consents;
  private final ConsentPolicy policy;
  private final PersonCache people;
  private final AppliedEvents appliedEvents;
  private final ConsentConfig config;

  public ConsentCheckService(
      Consents consents,
      ConsentPolicy policy,
      PersonCache people,
      AppliedEvents appliedEvents,
      ConsentConfig config) {
    this.consents = consents;
    this.policy = policy;
    this.people = people;
    this.appliedEvents = appliedEvents;
    this.config = config;
  }

  @Override
  public Uni<CheckResponse> check(CheckRequest request) {
    Subject subject;
    try {
      subject =
          switch (request.getSubjectCase()) {
            case PROFILE_ID -> Subject.ofProfile(request.getProfileId());
            case IDENTIFIER -> Subject.parse(request.getIdentifier());
            case SUBJECT_NOT_SET ->
                throw new InvalidIdentifierException(
                    "Name the subject by profile_id or identifier");
          };
    } catch (InvalidIdentifierException e) {
      return Uni.createFrom()
          .failure(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException());
    }
    return eventApplied(request).chain(() -> decide(subject, request));
  }

  private Uni<Void> eventApplied(CheckRequest request) {
    if (!request.hasAfterEvent()) {
      return Uni.createFrom().voidItem();
    }
    return appliedEvents
        .awaitApplied(
            request.getAfterEvent().getPartition(),
            request.getAfterEvent().getOffset(),
            config.eventWait())
        .onFailure(AppliedEvents.NotAppliedException.class)
        .transform(e -> Status.UNAVAILABLE.withDescription(e.getMessage()).asRuntimeException());
  }

  private Uni<CheckResponse> decide(Subject subject, CheckRequest request) {
    return people
        .person(subject)
        .onFailure()
        .transform(
            e ->
                Status.UNAVAILABLE
                    .withDescription("Cannot tell whose consent to check: " + e.getMessage())
                    .asRuntimeException())
        .chain(person -> consents.explicitOf(person.subjects()))
        .map(
            known ->
                CheckResponse.newBuilder()
                    .putAllAllowed(
                        policy.allowed(
                            known.explicit(), request.getPurposesList(), known.jurisdiction()))
                    .build());
  }
}
