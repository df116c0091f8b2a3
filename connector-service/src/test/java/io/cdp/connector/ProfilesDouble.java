package io.cdp.connector;

import io.cdp.contracts.profile.v1.GetProfileRequest;
import io.cdp.contracts.profile.v1.Profile;
import io.cdp.contracts.profile.v1.Profiles;
import io.grpc.Status;
import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.Uni;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A test double of the profile service: a real gRPC {@code Profiles} server, registered in the test
 * app (so served on its port), answering the profiles a test put in {@link #PROFILES} and NOT_FOUND
 * for others. The connector service reaches it through its ordinary {@code profiles} client.
 */
@GrpcService
public class ProfilesDouble implements Profiles {

  /** Profile id to the profile the "profile service" answers. */
  public static final Map<String, Profile> PROFILES = new ConcurrentHashMap<>();

  @Override
  public Uni<Profile> getProfile(GetProfileRequest request) {
    Profile profile = PROFILES.get(request.getProfileId());
    return profile == null
        ? Uni.createFrom().failure(Status.NOT_FOUND.asRuntimeException())
        : Uni.createFrom().item(profile);
  }
}
