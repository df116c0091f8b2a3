package io.cdp.identity;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.cdp.contracts.Topics;
import io.cdp.contracts.collector.v1.RawEvent;
import io.cdp.contracts.identity.v1.IdentityMerge;
import io.cdp.contracts.kafka.Deserializers;
import io.cdp.localstack.KafkaProbe;
import io.cdp.localstack.LocalStackResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** Merges of profiles from raw events, against the real broker, PostgreSQL and Infinispan. */
@QuarkusTest
@WithTestResource(LocalStackResource.class)
class IdentityMergeTest {

  private static final String ADMIN = "Bearer test-admin-token";

  private static String fresh(String prefix) {
    return prefix + "-" + UUID.randomUUID();
  }

  private static String profileOf(RawEvent event) {
    RawEvents.send(event);
    return RawEvents.resolved(event, 1).value().getProfileId();
  }

  private static String lookup(String identifier) {
    return given()
        .header("Authorization", ADMIN)
        .get("/v1/identities/{id}", identifier)
        .then()
        .statusCode(200)
        .extract()
        .path("profileId");
  }

  @Test
  void anonymousBrowsingOnTwoDevicesThenLoginOnBothEndsOnOneProfile() {
    String phone = fresh("a");
    String laptop = fresh("a");
    String user = fresh("u");
    String first = profileOf(RawEvents.event("page", "", phone, Map.of()));
    String second = profileOf(RawEvents.event("page", "", laptop, Map.of()));
    assertNotEquals(first, second);

    assertEquals(first, profileOf(RawEvents.event("identify", user, phone, Map.of())));
    RawEvent login = RawEvents.event("identify", user, laptop, Map.of());
    RawEvents.send(login);
    ConsumerRecord<String, ?> resolved = RawEvents.resolved(login, 1);
    assertEquals(first, resolved.key());

    // The oldest profile survives; the merge is published once, keyed by the survivor.
    ConsumerRecord<String, IdentityMerge> merge =
        KafkaProbe.ofTestStack()
            .await(
                Topics.IDENTITY_MERGES,
                new Deserializers.IdentityMergeDeserializer(),
                m -> m.getMergedProfileIdsList().contains(second),
                Duration.ofSeconds(30));
    assertEquals(first, merge.key());
    assertEquals(first, merge.value().getSurvivingProfileId());
    assertEquals(List.of(second), merge.value().getMergedProfileIdsList());
    assertEquals(
        "user_id:" + user + " seen with anonymous_id:" + laptop, merge.value().getReason());

    // Every identifier, and the merged profile's id, now finds the survivor.
    given()
        .header("Authorization", ADMIN)
        .get("/v1/identities/{id}", "anonymous_id:" + laptop)
        .then()
        .statusCode(200)
        .body("profileId", equalTo(first))
        .body(
            "identifiers",
            containsInAnyOrder(
                "user_id:" + user, "anonymous_id:" + phone, "anonymous_id:" + laptop));
    assertEquals(first, lookup("profile_id:" + second));
    assertEquals(first, lookup("profile_id:" + first));
    assertEquals(
        first, profileOf(RawEvents.event("track", "", laptop, Map.of("event", "Clicked"))));
  }

  @Test
  void anEmailSharedByTwoAnonymousProfilesMergesThemOnceAndAReplayPublishesNothing() {
    String email = fresh("ann") + "@example.com";
    String one = fresh("a");
    String two = fresh("a");
    String first =
        profileOf(RawEvents.event("identify", "", one, Map.of("traits", Map.of("email", email))));
    String second = profileOf(RawEvents.event("page", "", two, Map.of()));
    RawEvent linking =
        RawEvents.event(
            "identify", "", two, Map.of("traits", Map.of("email", email.toUpperCase())));
    assertEquals(first, profileOf(linking));

    // Replayed, the event resolves to the survivor again and merges nothing.
    RawEvents.send(linking);
    assertEquals(first, RawEvents.resolved(linking, 2).value().getProfileId());
    List<IdentityMerge> merges = MergeRecords.involving(second);
    assertEquals(1, merges.size());
    assertEquals(first, merges.get(0).getSurvivingProfileId());
    assertEquals(List.of(second), merges.get(0).getMergedProfileIdsList());
    assertEquals(first, lookup("anonymous_id:" + two));
  }

  @Test
  void twoUserIdsOnOneDeviceNeverMerge() {
    String device = fresh("a");
    String ann = fresh("u");
    String bob = fresh("u");
    String annProfile = profileOf(RawEvents.event("identify", ann, device, Map.of()));
    String bobProfile = profileOf(RawEvents.event("identify", bob, device, Map.of()));
    assertNotEquals(annProfile, bobProfile);
    // Bob's profile does not take the device: it stays with the first user.
    assertEquals(annProfile, lookup("anonymous_id:" + device));
    assertEquals(bobProfile, lookup("user_id:" + bob));
    assertEquals(bobProfile, profileOf(RawEvents.event("track", bob, device, Map.of())));
    assertEquals(List.of(), MergeRecords.involving(annProfile));
    assertEquals(List.of(), MergeRecords.involving(bobProfile));
  }
}
