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
import java.util.Map;

/**
 * {@code Consent.Check}: whether a subject allows each purpose now. Reads the same state the API
 * just wrote (cache, then PostgreSQL, then the defaults), so a withdrawal counts from the very next
 * check.
 */
@GrpcService
public class ConsentCheckService implements Consent {

  private final Consents consents;
  private final ConsentPolicy policy;

  public ConsentCheckService(Consents consents, ConsentPolicy policy) {
    this.consents = consents;
    this.policy = policy;
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
    return consents
        .current(subject)
        .map(
            state -> {
              Map<String, Boolean> explicit = state == null ? Map.of() : state.getPurposesMap();
              return CheckResponse.newBuilder()
                  .putAllAllowed(policy.allowed(explicit, request.getPurposesList()))
                  .build();
            });
  }
}
