package io.cdp.connector.grpc;

import io.cdp.connector.CelValues;
import io.cdp.connector.config.DeliveryConfig;
import io.cdp.contracts.profile.v1.GetProfileRequest;
import io.cdp.contracts.profile.v1.Profiles;
import io.grpc.Status;
import io.quarkus.grpc.GrpcClient;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;

/**
 * Reads the live profile a mapping needs from the profile service ({@code Profiles.GetProfile}).
 */
@ApplicationScoped
public class ProfileLookup {

  private final Profiles profiles;
  private final DeliveryConfig config;

  public ProfileLookup(@GrpcClient("profiles") Profiles profiles, DeliveryConfig config) {
    this.profiles = profiles;
    this.config = config;
  }

  /**
   * The {@code profile} variable of {@code profileId}. A profile the service does not know (erased
   * or merged away) maps as its id alone; an unavailable service fails, so the attempt is retried.
   */
  public Uni<Map<String, Object>> profile(String profileId) {
    return profiles
        .getProfile(GetProfileRequest.newBuilder().setProfileId(profileId).build())
        .ifNoItem()
        .after(config.timeout())
        .failWith(() -> new IllegalStateException("Profile lookup timed out"))
        .map(CelValues::profile)
        .onFailure(e -> Status.fromThrowable(e).getCode() == Status.Code.NOT_FOUND)
        .recoverWithItem(() -> CelValues.unknownProfile(profileId));
  }
}
