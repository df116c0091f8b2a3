package io.cdp.profile;

import static io.cdp.profile.ProfileTestSupport.ADMIN;
import static io.cdp.profile.ProfileTestSupport.WAIT;
import static io.cdp.profile.ProfileTestSupport.awaitProfile;
import static io.cdp.profile.ProfileTestSupport.awaitStoredVersion;
import static io.cdp.profile.ProfileTestSupport.event;
import static io.cdp.profile.ProfileTestSupport.id;
import static io.cdp.profile.ProfileTestSupport.send;
import static io.cdp.profile.ProfileTestSupport.storedIdentifiers;
import static io.cdp.profile.ProfileTestSupport.storedVersion;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cdp.contracts.Topics;
import io.cdp.contracts.consent.v1.PrivacyAck;
import io.cdp.contracts.consent.v1.PrivacyRequest;
import io.cdp.contracts.consent.v1.PrivacyRequestKind;
import io.cdp.contracts.kafka.Deserializers;
import io.cdp.contracts.profile.v1.GetProfileRequest;
import io.cdp.contracts.profile.v1.Profiles;
import io.cdp.localstack.KafkaProbe;
import io.cdp.localstack.LocalStackResource;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Privacy requests erase the profile from the caches and PostgreSQL, then are acknowledged. */
@QuarkusTest
@WithTestResource(LocalStackResource.class)
class ErasureTest {

  @Inject Pool database;

  @GrpcClient("profiles")
  Profiles profiles;

  @Test
  void anErasureDeletesTheProfileEverywhereAndIsAcknowledged() {
    String profileId = "p-" + UUID.randomUUID();
    List<String> identifiers = createProfile(profileId);

    PrivacyAck ack = erase(profileId, identifiers);

    assertTrue(ack.getSuccess(), ack.getError());
    assertGone(profileId, identifiers);
  }

  @Test
  void anErasureWithAStaleProfileIdFindsTheProfileByItsIdentifiers() {
    String profileId = "p-" + UUID.randomUUID();
    List<String> identifiers = createProfile(profileId);

    PrivacyAck ack = erase("p-stale-" + UUID.randomUUID(), identifiers);

    assertTrue(ack.getSuccess(), ack.getError());
    assertGone(profileId, identifiers);
  }

  @Test
  void anErasureOfAnUnknownPersonIsAcknowledgedWithSuccess() {
    PrivacyAck ack =
        erase("p-" + UUID.randomUUID(), List.of("email:nobody-" + UUID.randomUUID() + "@x.org"));
    assertTrue(ack.getSuccess(), ack.getError());
  }

  /** A profile with three identifiers, stored in PostgreSQL; returns its identifiers. */
  private List<String> createProfile(String profileId) {
    String userId = "u-" + UUID.randomUUID();
    String email = "ann-" + UUID.randomUUID() + "@example.com";
    String anonymousId = "a-" + UUID.randomUUID();
    send(
        profileId,
        event("identify", Instant.now(), "{\"traits\":{\"name\":\"Ann\"}}"),
        id("user_id", userId),
        id("email", email),
        id("anonymous_id", anonymousId));
    awaitProfile("email:" + email, r -> true);
    awaitStoredVersion(database, profileId, 1);
    assertEquals(3, storedIdentifiers(database, profileId));
    return List.of("user_id:" + userId, "email:" + email, "anonymous_id:" + anonymousId);
  }

  private static PrivacyAck erase(String profileId, List<String> identifiers) {
    String requestId = "r-" + UUID.randomUUID();
    PrivacyRequest request =
        PrivacyRequest.newBuilder()
            .setRequestId(requestId)
            .setKind(PrivacyRequestKind.ERASURE)
            .setIdentifier(identifiers.get(0))
            .addAllIdentifiers(identifiers)
            .setProfileId(profileId)
            .build();
    KafkaProbe probe = KafkaProbe.ofTestStack();
    probe.send(Topics.PRIVACY_REQUESTS, requestId, request);
    return probe
        .await(
            Topics.PRIVACY_ACKS,
            new Deserializers.PrivacyAckDeserializer(),
            a -> a.getRequestId().equals(requestId) && a.getService().equals("profile-service"),
            WAIT)
        .value();
  }

  private void assertGone(String profileId, List<String> identifiers) {
    for (String identifier : identifiers) {
      given()
          .header("Authorization", ADMIN)
          .get("/v1/profiles/" + identifier)
          .then()
          .statusCode(404);
    }
    StatusRuntimeException missing =
        assertThrows(
            StatusRuntimeException.class,
            () ->
                profiles
                    .getProfile(GetProfileRequest.newBuilder().setProfileId(profileId).build())
                    .await()
                    .atMost(WAIT));
    assertEquals(Status.Code.NOT_FOUND, missing.getStatus().getCode());
    assertNull(storedVersion(database, profileId));
    assertEquals(0, storedIdentifiers(database, profileId));
  }
}
