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
  private final Identifiers identifiers;

  public IdentityGrpcService(IdentityResolver resolver, Identifiers identifiers) {
    this.resolver = resolver;
    this.identifiers = identifiers;
  }

  /**
   * Identifiers are normalised as events' are; blocked values are ignored. Like an event, a call
   * may link profiles and merge them (published on {@code cdp.identity.merges}). An erased
   * (suppressed) identifier is refused with {@code FAILED_PRECONDITION} and nothing is linked.
   */
  @Override
  public Uni<ResolveResponse> resolve(ResolveRequest request) {
    List<IdentifierRef> found =
        request.getIdentifiersList().stream()
            .map(this::normalise)
            .flatMap(Optional::stream)
            .toList();
    if (found.isEmpty()) {
      return Uni.createFrom()
          .failure(
              Status.INVALID_ARGUMENT
                  .withDescription("No usable identifier (missing or blocked values)")
                  .asRuntimeException());
    }
    return resolver
        .resolve(found, Instant.now())
        .map(
            resolution ->
                resolution
                    .map(
                        r ->
                            ResolveResponse.newBuilder()
                                .setProfileId(r.profileId())
                                .setCreated(r.created())
                                .build())
                    .orElseThrow(
                        () ->
                            Status.FAILED_PRECONDITION
                                .withDescription("An identifier was erased and is suppressed")
                                .asRuntimeException()));
  }

  /**
   * An unknown (or blocked) identifier answers an empty profile id, not an error. The type {@code
   * profile_id} looks a profile up by its id; a merged profile's id answers the survivor.
   */
  @Override
  public Uni<LookupResponse> lookup(LookupRequest request) {
    Identifier wanted = request.getIdentifier();
    Uni<Optional<IdentityResolver.ProfileIdentifiers>> lookup;
    if (IdentifierRef.PROFILE_ID.equals(wanted.getType().trim())) {
      lookup = resolver.lookupProfile(wanted.getValue().trim());
    } else {
      Optional<IdentifierRef> identifier = normalise(wanted);
      if (identifier.isEmpty()) {
        return Uni.createFrom().item(LookupResponse.getDefaultInstance());
      }
      lookup = resolver.lookup(identifier.get());
    }
    return lookup.map(
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

  private Optional<IdentifierRef> normalise(Identifier identifier) {
    return identifiers.normalise(identifier.getType(), identifier.getValue());
  }
}
