package io.cdp.profile.grpc;

import io.cdp.common.IdentifierKey;
import io.cdp.contracts.profile.v1.GetProfileRequest;
import io.cdp.contracts.profile.v1.Profile;
import io.cdp.contracts.profile.v1.Profiles;
import io.cdp.profile.LiveProfile;
import io.cdp.profile.ProfileSnapshots;
import io.cdp.profile.store.ProfileStore;
import io.grpc.Status;
import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.Uni;
import java.util.Optional;

/** Profile lookups for other services, by profile id or by any identifier. */
@GrpcService
public class ProfilesGrpcService implements Profiles {

  private final ProfileStore store;

  public ProfilesGrpcService(ProfileStore store) {
    this.store = store;
  }

  @Override
  public Uni<Profile> getProfile(GetProfileRequest request) {
    // Deferred so that a refused request fails the Uni with its status instead of throwing.
    return Uni.createFrom()
        .deferred(() -> find(request))
        .map(
            profile ->
                ProfileSnapshots.toProto(
                    profile.orElseThrow(
                        () ->
                            Status.NOT_FOUND
                                .withDescription("No such profile")
                                .asRuntimeException())));
  }

  private Uni<Optional<LiveProfile>> find(GetProfileRequest request) {
    return switch (request.getKeyCase()) {
      case PROFILE_ID -> store.byId(request.getProfileId());
      case IDENTIFIER ->
          store.byIdentifier(
              IdentifierKey.parse(request.getIdentifier())
                  .map(IdentifierKey::toString)
                  .orElseThrow(
                      () ->
                          Status.INVALID_ARGUMENT
                              .withDescription("Write the identifier as type:value")
                              .asRuntimeException()));
      case KEY_NOT_SET ->
          throw Status.INVALID_ARGUMENT
              .withDescription("Give a profile_id or an identifier")
              .asRuntimeException();
    };
  }
}
