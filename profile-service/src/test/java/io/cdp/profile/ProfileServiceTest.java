package io.cdp.profile;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import io.cdp.contracts.Topics;
import io.cdp.contracts.collector.v1.RawEvent;
import io.cdp.contracts.identity.v1.Identifier;
import io.cdp.contracts.identity.v1.ResolvedEvent;
import io.cdp.contracts.kafka.Deserializers;
import io.cdp.contracts.profile.v1.GetProfileRequest;
import io.cdp.contracts.profile.v1.Profile;
import io.cdp.contracts.profile.v1.ProfileChange;
import io.cdp.contracts.profile.v1.Profiles;
import io.cdp.contracts.profile.v1.VisitTransition;
import io.cdp.localstack.KafkaProbe;
import io.cdp.localstack.LocalStackResource;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * Resolved events in, profiles out through REST, gRPC and cdp.profiles.changes, on the real stack.
 */
@QuarkusTest
@WithTestResource(LocalStackResource.class)
class ProfileServiceTest {

  private static final String ADMIN = "Bearer test-admin-token";
  private static final Duration WAIT = Duration.ofSeconds(30);

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

    Response byEmail =
        awaitProfile(
            "email:" + email.toUpperCase(), r -> r.path("attributes.event_count").equals(2));
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
    awaitProfile("user_id:" + userId, r -> r.path("attributes.event_count").equals(2));
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

  private static Identifier id(String type, String value) {
    return Identifier.newBuilder().setType(type).setValue(value).build();
  }

  /** A RawEvent as the collector writes it, with a fresh messageId. */
  private static RawEvent event(String type, Instant at, String payloadJson) {
    return RawEvent.newBuilder()
        .setMessageId("m-" + UUID.randomUUID())
        .setSourceId("test-source")
        .setType(type)
        .setTimestamp(Timestamp.newBuilder().setSeconds(at.getEpochSecond()).setNanos(at.getNano()))
        .setReceivedAt(Timestamp.newBuilder().setSeconds(at.getEpochSecond()))
        .setPayloadJson(ByteString.copyFrom(payloadJson, StandardCharsets.UTF_8))
        .build();
  }

  /** Writes the event to cdp.events.resolved as identity resolution would. */
  private static void send(String profileId, RawEvent event, Identifier... identifiers) {
    ResolvedEvent resolved =
        ResolvedEvent.newBuilder()
            .setProfileId(profileId)
            .addAllIdentifiers(List.of(identifiers))
            .setEvent(event)
            .build();
    KafkaProbe.ofTestStack().send(Topics.EVENTS_RESOLVED, profileId, resolved);
  }

  /** Polls the REST lookup until it answers 200 with a body that satisfies {@code done}. */
  private static Response awaitProfile(String identifier, Predicate<Response> done) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    Response last = null;
    while (System.nanoTime() < deadline) {
      last = given().header("Authorization", ADMIN).get("/v1/profiles/" + identifier);
      if (last.statusCode() == 200 && done.test(last)) {
        return last;
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
    throw new AssertionError(
        "Profile " + identifier + " not as expected within " + WAIT + "; last: " + last.asString());
  }

  private static ConsumerRecord<String, ProfileChange> awaitChange(Predicate<ProfileChange> match) {
    return KafkaProbe.ofTestStack()
        .await(Topics.PROFILES_CHANGES, new Deserializers.ProfileChangeDeserializer(), match, WAIT);
  }
}
