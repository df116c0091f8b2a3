package io.cdp.profile.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cdp.profile.LiveProfile;
import io.cdp.profile.ProfileUpdate;
import io.cdp.profile.Visit;
import io.quarkus.infinispan.client.Remote;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.infinispan.client.hotrod.RemoteCache;

/**
 * The live profiles in Infinispan: {@code profiles} (profile id to profile) and {@code
 * profile-identifiers} (type:value to profile id), so a profile is found by any identifier.
 */
@ApplicationScoped
public class ProfileStore {

  private final RemoteCache<String, StoredProfile> profiles;
  private final RemoteCache<String, String> identifiers;
  private final ObjectMapper json;

  public ProfileStore(
      @Remote("profiles") RemoteCache<String, StoredProfile> profiles,
      @Remote("profile-identifiers") RemoteCache<String, String> identifiers,
      ObjectMapper json) {
    this.profiles = profiles;
    this.identifiers = identifiers;
    this.json = json;
  }

  public Uni<Optional<LiveProfile>> byId(String profileId) {
    return Uni.createFrom()
        .completionStage(() -> profiles.getAsync(profileId))
        .map(stored -> Optional.ofNullable(stored).map(this::toProfile));
  }

  /** {@code identifier} is normalised {@code type:value}. */
  public Uni<Optional<LiveProfile>> byIdentifier(String identifier) {
    return Uni.createFrom()
        .completionStage(() -> identifiers.getAsync(identifier))
        .flatMap(
            profileId ->
                profileId == null ? Uni.createFrom().item(Optional.empty()) : byId(profileId));
  }

  /**
   * Stores an updated profile. The identifier index is written first: if the profile write then
   * fails, the event is redelivered and applied again (its messageId was not stored), whereas the
   * other order could leave a stored profile whose new identifiers never get indexed.
   */
  public Uni<Void> save(ProfileUpdate update) {
    LiveProfile profile = update.profile();
    Map<String, String> index =
        update.addedIdentifiers().stream()
            .collect(Collectors.toMap(Function.identity(), id -> profile.profileId()));
    Uni<Void> indexed =
        index.isEmpty()
            ? Uni.createFrom().voidItem()
            : Uni.createFrom().completionStage(() -> identifiers.putAllAsync(index));
    return indexed
        .chain(
            () ->
                Uni.createFrom()
                    .completionStage(
                        () -> profiles.putAsync(profile.profileId(), toStored(profile))))
        .replaceWithVoid();
  }

  private StoredProfile toStored(LiveProfile profile) {
    Visit visit = profile.visit();
    try {
      return new StoredProfile(
          profile.profileId(),
          profile.identifiers(),
          json.writeValueAsString(profile.traits()),
          json.writeValueAsString(profile.attributes()),
          visit == null ? 0 : micros(visit.startedAt()),
          visit == null ? 0 : micros(visit.lastEventAt()),
          visit == null ? 0 : visit.eventCount(),
          profile.version(),
          profile.updatedAt() == null ? 0 : micros(profile.updatedAt()),
          profile.recentMessageIds());
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("A profile's JSON did not serialise", e);
    }
  }

  private LiveProfile toProfile(StoredProfile stored) {
    try {
      Visit visit =
          stored.visitEventCount() == 0
              ? null
              : new Visit(
                  instant(stored.visitStartedAt()),
                  instant(stored.visitLastEventAt()),
                  stored.visitEventCount());
      return new LiveProfile(
          stored.profileId(),
          orEmpty(stored.identifiers()),
          (ObjectNode) json.readTree(stored.traitsJson()),
          (ObjectNode) json.readTree(stored.attributesJson()),
          visit,
          stored.version(),
          stored.updatedAt() == 0 ? null : instant(stored.updatedAt()),
          orEmpty(stored.recentMessageIds()));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("A stored profile's JSON did not parse", e);
    }
  }

  private static long micros(Instant instant) {
    return ChronoUnit.MICROS.between(Instant.EPOCH, instant);
  }

  private static Instant instant(long micros) {
    return Instant.EPOCH.plus(micros, ChronoUnit.MICROS);
  }

  private static List<String> orEmpty(List<String> list) {
    return list == null ? List.of() : List.copyOf(list);
  }
}
