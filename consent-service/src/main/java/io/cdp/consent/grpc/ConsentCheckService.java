package io.cdp.consent.grpc;

import io.cdp.consent.ConsentPolicy;
import io.cdp.consent.Consents;
import io.cdp.consent.Subject;
import io.cdp.consent.Subject.InvalidIdentifierException;
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
 * defaults), so a withdrawal counts from the very next check.
 */
@GrpcService
public class ConsentCheckService implements Consent {

  private final Consents consents;
  private final ConsentPolicy policy;
  private final PersonCache people;

  public ConsentCheckService(Consents consents, ConsentPolicy policy, PersonCache people) {
    this.consents = consents;
    this.policy = policy;
    this.people = people;
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
