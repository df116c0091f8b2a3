package io.cdp.audience;

import static io.cdp.audience.AudienceTestSupport.ADMIN;
import static io.cdp.audience.AudienceTestSupport.awaitTransition;
import static io.cdp.audience.AudienceTestSupport.change;
import static io.cdp.audience.AudienceTestSupport.createAudience;
import static io.cdp.audience.AudienceTestSupport.eventually;
import static io.cdp.audience.AudienceTestSupport.transitionsOf;
import static io.cdp.audience.AudienceTestSupport.uniqueAttribute;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.Value;
import io.cdp.contracts.Topics;
import io.cdp.contracts.audience.v1.MembershipTransition;
import io.cdp.contracts.audience.v1.TransitionKind;
import io.cdp.localstack.KafkaProbe;
import io.cdp.localstack.LocalStackResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** A time-based audience is left when its time passes, with no event to trigger it. */
@QuarkusTest
@WithTestResource(LocalStackResource.class)
@WithTestResource(ProfileServiceResource.class)
class TimeBasedAudienceTest {

  @Test
  void aMemberLeavesWhenItsTimePassesWithoutANewEvent() {
    String attribute = uniqueAttribute("seen", "date");
    String audienceId =
        createAudience(
            "Seen lately",
            "now - timestamp(profile.attributes." + attribute + ") < duration('4s')");
    String profileId = "p-" + UUID.randomUUID();
    String email = "tim-" + UUID.randomUUID() + "@example.com";
    // Version 1 does not match; once it is applied the consumer is warm, so version 2 is applied
    // well within the rule's 4 seconds.
    KafkaProbe.ofTestStack()
        .send(Topics.PROFILES_CHANGES, profileId, change(profileId, 1, "other", 1, email));
    eventually(
        () ->
            given()
                .header("Authorization", ADMIN)
                .get("/v1/memberships/email:" + email)
                .then()
                .statusCode(200));

    Value seenNow = Value.newBuilder().setStringValue(Instant.now().toString()).build();
    KafkaProbe.ofTestStack()
        .send(Topics.PROFILES_CHANGES, profileId, change(profileId, 2, attribute, seenNow, email));
    awaitTransition(profileId, audienceId, TransitionKind.JOINED, 2);

    MembershipTransition left = awaitTransition(profileId, audienceId, TransitionKind.LEFT, 2);

    assertEquals(
        Transitions.transitionId(profileId, audienceId, 2, 1, TransitionKind.LEFT),
        left.getTransitionId(),
        "a leave without a new version is told apart by the profile's re-evaluation round");
    eventually(
        () ->
            given()
                .header("Authorization", ADMIN)
                .get("/v1/memberships/email:" + email)
                .then()
                .statusCode(200)
                .body("audiences.size()", equalTo(0)));
    given()
        .header("Authorization", ADMIN)
        .get("/v1/audiences/" + audienceId)
        .then()
        .body("size", equalTo(0));
    assertEquals(
        List.of("JOINED@2", "LEFT@2"),
        transitionsOf(profileId).stream()
            .map(t -> t.getKind() + "@" + t.getProfileVersion())
            .toList());
  }
}
