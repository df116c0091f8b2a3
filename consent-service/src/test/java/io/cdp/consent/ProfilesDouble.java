package io.cdp.consent;

import io.cdp.contracts.profile.v1.GetProfileRequest;
import io.cdp.contracts.profile.v1.Profile;
import io.cdp.contracts.profile.v1.Profiles;
import io.grpc.Status;
import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.Uni;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A test double of the profile service: a real gRPC {@code Profiles} server in the test app,
 * answering GetProfile by profile id for the profiles a test registered, NOT_FOUND for others.
 */
@GrpcService
public class ProfilesDouble implements Profiles {

  private static final Map<String, Profile> PROFILES = new ConcurrentHashMap<>();

  public static void profile(Profile profile) {
    PROFILES.put(profile.getProfileId(), profile);
  }

  @Override
  public Uni<Profile> getProfile(GetProfileRequest request) {
    Profile found = PROFILES.get(request.getProfileId());
    return found == null
        ? Uni.createFrom().failure(Status.NOT_FOUND.asRuntimeException())
        : Uni.createFrom().item(found);
  }
}
