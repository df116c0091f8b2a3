package io.cdp.identity.grpc;

import io.cdp.contracts.identity.v1.Identifier;
import io.cdp.contracts.identity.v1.Identity;
import io.cdp.contracts.identity.v1.LookupRequest;
import io.cdp.contracts.identity.v1.LookupResponse;
import io.cdp.contracts.identity.v1.ResolveRequest;
import io.cdp.contracts.identity.v1.ResolveResponse;
import io.cdp.identity.IdentifierRef;
import io.cdp.identity.Identifiers;
import io.cdp.identity.IdentityResolver;
import io.grpc.Status;
import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.Uni;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** gRPC {@code Identity}: resolution and lookups for the other services. */
@GrpcService
public class IdentityGrpcService implements Identity {

  private final IdentityResolver resolver;

  public IdentityGrpcService(IdentityResolver resolver) {
    this.resolver = resolver;
  }

  /** Identifiers are normalised as events' are; blocked values are ignored. */
  @Override
  public Uni<ResolveResponse> resolve(ResolveRequest request) {
    List<IdentifierRef> identifiers =
        request.getIdentifiersList().stream()
            .map(IdentityGrpcService::normalise)
            .flatMap(Optional::stream)
            .toList();
    if (identifiers.isEmpty()) {
      return Uni.createFrom()
          .failure(
              Status.INVALID_ARGUMENT
                  .withDescription("No usable identifier (missing or blocked values)")
                  .asRuntimeException());
    }
    return resolver
        .resolve(identifiers, Instant.now())
        .map(
            r ->
                ResolveResponse.newBuilder()
                    .setProfileId(r.profileId())
                    .setCreated(r.created())
                    .build());
  }

  /** An unknown (or blocked) identifier answers an empty profile id, not an error. */
  @Override
  public Uni<LookupResponse> lookup(LookupRequest request) {
    Optional<IdentifierRef> identifier = normalise(request.getIdentifier());
    if (identifier.isEmpty()) {
      return Uni.createFrom().item(LookupResponse.getDefaultInstance());
    }
    return resolver
        .lookup(identifier.get())
        .map(
            found ->
                found
                    .map(
                        p ->
                            LookupResponse.newBuilder()
                                .setProfileId(p.profileId())
                                .addAllIdentifiers(
                                    p.identifiers().stream().map(IdentifierRef::toProto).toList())
                                .build())
                    .orElse(LookupResponse.getDefaultInstance()));
  }

  private static Optional<IdentifierRef> normalise(Identifier identifier) {
    return Identifiers.normalise(identifier.getType(), identifier.getValue());
  }
}
