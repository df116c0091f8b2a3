package io.cdp.connector.grpc;

import io.cdp.common.SharedCalls;
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
 * Deliveries that need the same profile at the same moment (a transition's, one per connector)
 * share one read: a delivery may get an answer to a read that started a round trip before it asked,
 * never an older one.
 */
@ApplicationScoped
public class ProfileLookup {

  private final Profiles profiles;
  private final DeliveryConfig config;
  private final SharedCalls<String, Map<String, Object>> reading = new SharedCalls<>();

  public ProfileLookup(@GrpcClient("profiles") Profiles profiles, DeliveryConfig config) {
    this.profiles = profiles;
    this.config = config;
  }

  /**
   * The {@code profile} variable of {@code profileId}. A profile the service does not know (erased
   * or merged away) maps as its id alone; an unavailable service fails, so the attempt is retried.
   */
  public Uni<Map<String, Object>> profile(String profileId) {
    // The read may be another delivery's and answer on its context: callers emit on their own.
    return reading.call(profileId, this::read);
  }

  private Uni<Map<String, Object>> read(String profileId) {
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
