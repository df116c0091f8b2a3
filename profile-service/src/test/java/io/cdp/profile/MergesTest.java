package io.cdp.profile;

import static io.cdp.profile.ProfileTestSupport.ADMIN;
import static io.cdp.profile.ProfileTestSupport.awaitChange;
import static io.cdp.profile.ProfileTestSupport.awaitProfile;
import static io.cdp.profile.ProfileTestSupport.event;
import static io.cdp.profile.ProfileTestSupport.eventCount;
import static io.cdp.profile.ProfileTestSupport.id;
import static io.cdp.profile.ProfileTestSupport.send;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.cdp.contracts.Topics;
import io.cdp.contracts.identity.v1.IdentityMerge;
import io.cdp.contracts.profile.v1.ProfileChange;
import io.cdp.localstack.KafkaProbe;
import io.cdp.localstack.LocalStackResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Identity merges fold profiles into the survivor, on the real stack. */
@QuarkusTest
@WithTestResource(LocalStackResource.class)
class MergesTest {

  private static final String ORDER = "{\"event\":\"Order Completed\"}";

  @Test
  void aMergeFoldsTwoProfilesAndEveryOldIdentifierFindsTheSurvivor() {
    String orders = "orders_" + UUID.randomUUID().toString().substring(0, 8);
    given()
        .header("Authorization", ADMIN)
        .contentType(ContentType.JSON)
        .body(
            """
            {"name": "%s", "type": "number",
             "enrichments": [{"when": "event.event == 'Order Completed'", "op": "increment"}]}
            """
                .formatted(orders))
        .post("/v1/attributes")
        .then()
        .statusCode(201);

    String survivor = "p-" + UUID.randomUUID();
    String merged = "p-" + UUID.randomUUID();
    String userId = "u-" + UUID.randomUUID();
    String anonymousId = "a-" + UUID.randomUUID();
    Instant now = Instant.now();
    send(
        survivor, event("identify", now, "{\"traits\":{\"name\":\"Ann\"}}"), id("user_id", userId));
    send(survivor, event("track", now.plusMillis(1), ORDER), id("user_id", userId));
    send(
        merged,
        event(
            "track",
            now.plusMillis(2),
            "{\"event\":\"Order Completed\",\"context\":{\"traits\":{\"name\":\"?\",\"city\":\"Oslo\"}}}"),
        id("anonymous_id", anonymousId));
    send(merged, event("track", now.plusMillis(3), ORDER), id("anonymous_id", anonymousId));
    awaitProfile("user_id:" + userId, eventCount(2));
    awaitProfile("anonymous_id:" + anonymousId, eventCount(2));

    String mergeId = "g-" + UUID.randomUUID();
    IdentityMerge merge =
        IdentityMerge.newBuilder()
            .setMergeId(mergeId)
            .setSurvivingProfileId(survivor)
            .addMergedProfileIds(merged)
            .setReason("test")
            .build();
    KafkaProbe.ofTestStack().send(Topics.IDENTITY_MERGES, survivor, merge);

    // The merged identifiers are indexed just before the folded survivor is written, so a lookup
    // may first find the survivor as it was: wait for the fold itself.
    awaitProfile(
            "anonymous_id:" + anonymousId,
            r -> survivor.equals(r.path("profileId")) && eventCount(4).test(r))
        .then()
        .body("identifiers", containsInAnyOrder("user_id:" + userId, "anonymous_id:" + anonymousId))
        .body("attributes.event_count", equalTo(4))
        .body("attributes." + orders, equalTo(3))
        .body("traits.name", equalTo("Ann"))
        .body("traits.city", equalTo("Oslo"));
    ProfileChange deleted =
        awaitChange(c -> c.getProfileId().equals(merged) && c.getDeleted()).value();
    assertEquals(mergeId, deleted.getCause());
    ProfileChange folded =
        awaitChange(c -> c.getProfileId().equals(survivor) && c.getCause().equals(mergeId)).value();
    assertEquals(3, folded.getVersion()); // two events, then the merge

    // A redelivered merge folds nothing again; a late event for the merged id lands on the
    // survivor.
    KafkaProbe.ofTestStack().send(Topics.IDENTITY_MERGES, survivor, merge);
    send(merged, event("track", now.plusMillis(4), ORDER), id("anonymous_id", anonymousId));
    awaitProfile("user_id:" + userId, eventCount(5))
        .then()
        .body("profileId", equalTo(survivor))
        .body("attributes." + orders, equalTo(4));
  }
}
