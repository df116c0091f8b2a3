package io.cdp.profile;

import static io.cdp.profile.ProfileTestSupport.ADMIN;
import static io.cdp.profile.ProfileTestSupport.WAIT;
import static io.cdp.profile.ProfileTestSupport.awaitChange;
import static io.cdp.profile.ProfileTestSupport.awaitProfile;
import static io.cdp.profile.ProfileTestSupport.event;
import static io.cdp.profile.ProfileTestSupport.eventCount;
import static io.cdp.profile.ProfileTestSupport.id;
import static io.cdp.profile.ProfileTestSupport.send;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cdp.contracts.collector.v1.RawEvent;
import io.cdp.contracts.profile.v1.GetProfileRequest;
import io.cdp.contracts.profile.v1.Profile;
import io.cdp.contracts.profile.v1.ProfileChange;
import io.cdp.contracts.profile.v1.Profiles;
import io.cdp.contracts.profile.v1.VisitTransition;
import io.cdp.localstack.LocalStackResource;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * Resolved events in, profiles out through REST, gRPC and cdp.profiles.changes, on the real stack.
 */
@QuarkusTest
@WithTestResource(LocalStackResource.class)
class ProfileServiceTest {

  @GrpcClient("profiles")
  Profiles profiles;

  @Test
  void eventsBuildAProfileReadableByEveryIdentifier() {
    String profileId = "p-" + UUID.randomUUID();
    String userId = "u-" + UUID.randomUUID();
    String email = "ann-" + UUID.randomUUID() + "@example.com";
    Instant now = Instant.now();
    send(
        profileId,
        event("identify", now, "{\"traits\":{\"name\":\"Ann\",\"plan\":\"pro\"}}"),
        id("user_id", userId),
        id("email", email));
    send(
        profileId,
        event(
            "track",
            now.plusSeconds(1),
            "{\"event\":\"Viewed\",\"context\":{\"traits\":{\"plan\":null}}}"),
        id("user_id", userId));

    Response byEmail = awaitProfile("email:" + email.toUpperCase(), eventCount(2));
    byEmail
        .then()
        .body("profileId", equalTo(profileId))
        .body("identifiers", containsInAnyOrder("user_id:" + userId, "email:" + email))
        .body("traits.name", equalTo("Ann"))
        .body("traits.containsKey('plan')", equalTo(false))
        .body("badges", empty())
        .body("visit.eventCount", equalTo(2))
        .body("attributes.last_event_at", equalTo(now.plusSeconds(1).toString()));
    given()
        .header("Authorization", ADMIN)
        .get("/v1/profiles/user_id:" + userId)
        .then()
        .statusCode(200)
        .body("profileId", equalTo(profileId))
        .body("attributes.event_count", equalTo(2));
  }

  @Test
  void aReplayedEventLeavesCountAndVersionUnchanged() {
    String profileId = "p-" + UUID.randomUUID();
    String userId = "u-" + UUID.randomUUID();
    RawEvent first = event("track", Instant.now(), "{\"event\":\"Viewed\"}");
    RawEvent second = event("track", Instant.now().plusSeconds(1), "{\"event\":\"Clicked\"}");
    send(profileId, first, id("user_id", userId));
    send(profileId, first, id("user_id", userId));
    send(profileId, second, id("user_id", userId));

    // Same key, same partition, in order: once the second is applied, the replay was handled.
    awaitProfile("user_id:" + userId, eventCount(2));
    Profile profile =
        profiles
            .getProfile(GetProfileRequest.newBuilder().setProfileId(profileId).build())
            .await()
            .atMost(WAIT);
    assertEquals(2, profile.getVersion());
    ProfileChange change = awaitChange(c -> c.getCause().equals(second.getMessageId())).value();
    assertEquals(2, change.getVersion());
  }

  @Test
  void anAppliedEventIsPublishedAsAChangeKeyedByProfile() {
    String profileId = "p-" + UUID.randomUUID();
    RawEvent identify = event("identify", Instant.now(), "{\"traits\":{\"vip\":true}}");
    send(profileId, identify, id("anonymous_id", "a-" + UUID.randomUUID()));

    ConsumerRecord<String, ProfileChange> record =
        awaitChange(c -> c.getCause().equals(identify.getMessageId()));
    ProfileChange change = record.value();
    assertEquals(profileId, record.key());
    assertEquals(profileId, change.getProfileId());
    assertEquals(1, change.getVersion());
    assertTrue(change.getChangedList().containsAll(List.of("traits", "event_count", "visit")));
    assertEquals(VisitTransition.VISIT_STARTED, change.getVisitTransition());
    assertTrue(change.getSnapshot().getTraits().getFieldsOrThrow("vip").getBoolValue());
    assertEquals(
        1.0, change.getSnapshot().getAttributes().getFieldsOrThrow("event_count").getNumberValue());
  }

  @Test
  void eventsOfOneProfileSentTogetherEachPublishTheirOwnChangeInOrder() {
    String profileId = "p-" + UUID.randomUUID();
    String anonymousId = "a-" + UUID.randomUUID();
    String userId = "u-" + UUID.randomUUID();
    Instant now = Instant.now();
    // Sent back to back, so that a poll holds several of them: they are applied in order and
    // written once, but each still has its own change
    List<RawEvent> events = new java.util.ArrayList<>();
    for (int i = 0; i < 5; i++) {
      RawEvent event = event("track", now.plusMillis(i), "{\"event\":\"Step " + i + "\"}");
      events.add(event);
      if (i == 2) {
        send(profileId, event, id("anonymous_id", anonymousId), id("user_id", userId));
      } else {
        send(profileId, event, id("anonymous_id", anonymousId));
      }
    }
    awaitProfile("user_id:" + userId, eventCount(5))
        .then()
        .body(
            "identifiers", containsInAnyOrder("anonymous_id:" + anonymousId, "user_id:" + userId));
    for (int i = 0; i < events.size(); i++) {
      String messageId = events.get(i).getMessageId();
      ProfileChange change = awaitChange(c -> c.getCause().equals(messageId)).value();
      assertEquals(i + 1, change.getVersion());
      assertEquals(
          i + 1.0,
          change.getSnapshot().getAttributes().getFieldsOrThrow("event_count").getNumberValue());
      // The first event brings the anonymous id, the third the user id
      assertEquals(i == 0 || i == 2, change.getChangedList().contains("identifiers"));
    }
  }

  @Test
  void getProfileOverGrpcAnswersByIdentifierAndNotFoundForUnknown() {
    String profileId = "p-" + UUID.randomUUID();
    String userId = "u-" + UUID.randomUUID();
    send(profileId, event("page", Instant.now(), "{}"), id("user_id", userId));
    awaitProfile("user_id:" + userId, r -> true);

    Profile profile =
        profiles
            .getProfile(GetProfileRequest.newBuilder().setIdentifier("user_id:" + userId).build())
            .await()
            .atMost(WAIT);
    assertEquals(profileId, profile.getProfileId());
    assertEquals(1, profile.getVisit().getEventCount());

    StatusRuntimeException unknown =
        assertThrows(
            StatusRuntimeException.class,
            () ->
                profiles
                    .getProfile(
                        GetProfileRequest.newBuilder()
                            .setIdentifier("user_id:nobody-" + UUID.randomUUID())
                            .build())
                    .await()
                    .atMost(WAIT));
    assertEquals(Status.Code.NOT_FOUND, unknown.getStatus().getCode());
  }

  @Test
  void unknownIdentifiersAre404AndMalformedOnes400() {
    given()
        .header("Authorization", ADMIN)
        .get("/v1/profiles/user_id:nobody-" + UUID.randomUUID())
        .then()
        .statusCode(404)
        .body("error.code", equalTo("not_found"));
    given()
        .header("Authorization", ADMIN)
        .get("/v1/profiles/no-type-here")
        .then()
        .statusCode(400)
        .body("error.code", equalTo("invalid_identifier"));
  }

  @Test
  void lookupsNeedTheAdminToken() {
    given()
        .get("/v1/profiles/user_id:42")
        .then()
        .statusCode(401)
        .body("error.code", equalTo("unauthorized"));
  }
}
