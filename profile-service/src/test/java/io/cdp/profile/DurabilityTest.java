package io.cdp.profile;

import static io.cdp.profile.ProfileTestSupport.ADMIN;
import static io.cdp.profile.ProfileTestSupport.WAIT;
import static io.cdp.profile.ProfileTestSupport.awaitChange;
import static io.cdp.profile.ProfileTestSupport.awaitProfile;
import static io.cdp.profile.ProfileTestSupport.awaitStoredVersion;
import static io.cdp.profile.ProfileTestSupport.event;
import static io.cdp.profile.ProfileTestSupport.eventCount;
import static io.cdp.profile.ProfileTestSupport.id;
import static io.cdp.profile.ProfileTestSupport.send;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.cdp.contracts.Topics;
import io.cdp.contracts.identity.v1.IdentityMerge;
import io.cdp.contracts.profile.v1.GetProfileRequest;
import io.cdp.contracts.profile.v1.Profile;
import io.cdp.contracts.profile.v1.ProfileChange;
import io.cdp.contracts.profile.v1.Profiles;
import io.cdp.contracts.profile.v1.VisitTransition;
import io.cdp.localstack.KafkaProbe;
import io.cdp.localstack.LocalStackResource;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.infinispan.client.hotrod.RemoteCacheManager;
import org.junit.jupiter.api.Test;

/**
 * Profiles survive the loss of every cache: PostgreSQL holds them and a miss reads them back.
 * Clearing the caches stands for a restart with an empty Infinispan.
 */
@QuarkusTest
@WithTestResource(LocalStackResource.class)
class DurabilityTest {

  private static final List<String> CACHES =
      List.of("profiles", "profile-identifiers", "profile-merges", "open-visits");
  private static final String ORDER = "{\"event\":\"Order Completed\"}";

  @Inject RemoteCacheManager caches;
  @Inject Pool database;

  @GrpcClient("profiles")
  Profiles profiles;

  @Test
  void aClearedCacheKeepsTheProfileAndItsCountersGoOn() {
    String orders = defineOrderCounter();
    String profileId = "p-" + UUID.randomUUID();
    String userId = "u-" + UUID.randomUUID();
    String email = "ann-" + UUID.randomUUID() + "@example.com";
    Instant now = Instant.now();
    send(
        profileId,
        event("identify", now, "{\"traits\":{\"name\":\"Ann\"}}"),
        id("user_id", userId),
        id("email", email));
    send(profileId, event("track", now.plusSeconds(1), ORDER), id("user_id", userId));
    JsonPath before = awaitProfile("email:" + email, eventCount(2)).jsonPath();
    Profile beforeGrpc = byIdentifier("user_id:" + userId);
    awaitStoredVersion(database, profileId, 2);

    clearEveryCache();

    JsonPath after =
        given()
            .header("Authorization", ADMIN)
            .get("/v1/profiles/email:" + email)
            .then()
            .statusCode(200)
            .extract()
            .jsonPath();
    assertEquals(before.getMap(""), after.getMap(""));
    assertEquals(beforeGrpc, byIdentifier("user_id:" + userId));
    assertEquals(2, beforeGrpc.getVersion());

    send(profileId, event("track", now.plusSeconds(2), ORDER), id("user_id", userId));
    awaitProfile("user_id:" + userId, eventCount(3))
        .then()
        .body("attributes." + orders, equalTo(2))
        .body("traits.name", equalTo("Ann"));
    assertEquals(3, byIdentifier("email:" + email).getVersion());
    awaitStoredVersion(database, profileId, 3);
  }

  @Test
  void aLateEventOfAMergedProfileFindsTheSurvivorAfterTheCacheIsCleared() {
    String survivor = "p-" + UUID.randomUUID();
    String merged = "p-" + UUID.randomUUID();
    String userId = "u-" + UUID.randomUUID();
    String anonymousId = "a-" + UUID.randomUUID();
    Instant now = Instant.now();
    send(survivor, event("track", now, ORDER), id("user_id", userId));
    send(merged, event("track", now.plusMillis(1), ORDER), id("anonymous_id", anonymousId));
    awaitProfile("user_id:" + userId, r -> true);
    awaitProfile("anonymous_id:" + anonymousId, r -> true);
    KafkaProbe.ofTestStack()
        .send(
            Topics.IDENTITY_MERGES,
            survivor,
            IdentityMerge.newBuilder()
                .setMergeId("g-" + UUID.randomUUID())
                .setSurvivingProfileId(survivor)
                .addMergedProfileIds(merged)
                .setReason("test")
                .build());
    awaitProfile("anonymous_id:" + anonymousId, r -> survivor.equals(r.path("profileId")));
    awaitStoredVersion(database, survivor, 2);

    clearEveryCache();

    send(merged, event("track", now.plusMillis(2), ORDER), id("anonymous_id", anonymousId));
    awaitProfile("user_id:" + userId, eventCount(3)).then().body("profileId", equalTo(survivor));
    given()
        .header("Authorization", ADMIN)
        .get("/v1/profiles/anonymous_id:" + anonymousId)
        .then()
        .statusCode(200)
        .body("profileId", equalTo(survivor));
  }

  @Test
  void aVisitOpenWhenTheCachesWereLostStillEndsOnTime() {
    String profileId = "p-" + UUID.randomUUID();
    // Idle for the 30-minute timeout 15 s from now: after the caches are gone
    Instant lastEvent = Instant.now().minus(Duration.ofMinutes(30)).plusSeconds(15);
    send(profileId, event("page", lastEvent, "{}"), id("user_id", "u-" + UUID.randomUUID()));
    awaitStoredVersion(database, profileId, 1);

    clearEveryCache();

    ProfileChange ended =
        awaitChange(
                c ->
                    c.getProfileId().equals(profileId)
                        && c.getVisitTransition() == VisitTransition.VISIT_ENDED)
            .value();
    assertEquals("visit_timeout", ended.getCause());
    assertEquals(2, ended.getVersion());
  }

  private void clearEveryCache() {
    for (String name : CACHES) {
      caches.getCache(name).clear();
      assertEquals(0, caches.getCache(name).size(), name);
    }
  }

  private Profile byIdentifier(String identifier) {
    return profiles
        .getProfile(GetProfileRequest.newBuilder().setIdentifier(identifier).build())
        .await()
        .atMost(WAIT);
  }

  private static String defineOrderCounter() {
    String name = "orders_" + UUID.randomUUID().toString().substring(0, 8);
    given()
        .header("Authorization", ADMIN)
        .contentType(ContentType.JSON)
        .body(
            """
            {"name": "%s", "type": "number",
             "enrichments": [{"when": "event.event == 'Order Completed'", "op": "increment"}]}
            """
                .formatted(name))
        .post("/v1/attributes")
        .then()
        .statusCode(201);
    return name;
  }
}
