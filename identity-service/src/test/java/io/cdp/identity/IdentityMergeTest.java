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
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** Merges of profiles from raw events, against the real broker, PostgreSQL and Infinispan. */
@QuarkusTest
@WithTestResource(LocalStackResource.class)
class IdentityMergeTest {

  private static final String ADMIN = "Bearer test-admin-token";

  @Test
  void anonymousBrowsingOnTwoDevicesThenLoginOnBothEndsOnOneProfile() {
    String phone = RawEvents.fresh("a");
    String laptop = RawEvents.fresh("a");
    String user = RawEvents.fresh("u");
    String first = RawEvents.sendAndResolve(RawEvents.event("page", "", phone, Map.of()));
    String second = RawEvents.sendAndResolve(RawEvents.event("page", "", laptop, Map.of()));
    assertNotEquals(first, second);

    assertEquals(
        first, RawEvents.sendAndResolve(RawEvents.event("identify", user, phone, Map.of())));
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
    assertEquals(first, RawEvents.profileIdOf("profile_id:" + second));
    assertEquals(first, RawEvents.profileIdOf("profile_id:" + first));
    assertEquals(
        first,
        RawEvents.sendAndResolve(RawEvents.event("track", "", laptop, Map.of("event", "Clicked"))));
  }

  @Test
  void anEmailSharedByTwoAnonymousProfilesMergesThemOnceAndAReplayPublishesNothing() {
    String email = RawEvents.fresh("ann") + "@example.com";
    String one = RawEvents.fresh("a");
    String two = RawEvents.fresh("a");
    String first =
        RawEvents.sendAndResolve(
            RawEvents.event("identify", "", one, Map.of("traits", Map.of("email", email))));
    String second = RawEvents.sendAndResolve(RawEvents.event("page", "", two, Map.of()));
    RawEvent linking =
        RawEvents.event(
            "identify", "", two, Map.of("traits", Map.of("email", email.toUpperCase())));
    assertEquals(first, RawEvents.sendAndResolve(linking));

    // Replayed, the event resolves to the survivor again and merges nothing.
    RawEvents.send(linking);
    assertEquals(first, RawEvents.resolved(linking, 2).value().getProfileId());
    List<IdentityMerge> merges = MergeRecords.involving(second);
    assertEquals(1, merges.size());
    assertEquals(first, merges.get(0).getSurvivingProfileId());
    assertEquals(List.of(second), merges.get(0).getMergedProfileIdsList());
    assertEquals(first, RawEvents.profileIdOf("anonymous_id:" + two));
  }

  @Test
  void twoUserIdsOnOneDeviceNeverMerge() {
    String device = RawEvents.fresh("a");
    String ann = RawEvents.fresh("u");
    String bob = RawEvents.fresh("u");
    String annProfile =
        RawEvents.sendAndResolve(RawEvents.event("identify", ann, device, Map.of()));
    String bobProfile =
        RawEvents.sendAndResolve(RawEvents.event("identify", bob, device, Map.of()));
    assertNotEquals(annProfile, bobProfile);
    // Bob's profile does not take the device: it stays with the first user.
    assertEquals(annProfile, RawEvents.profileIdOf("anonymous_id:" + device));
    assertEquals(bobProfile, RawEvents.profileIdOf("user_id:" + bob));
    assertEquals(
        bobProfile, RawEvents.sendAndResolve(RawEvents.event("track", bob, device, Map.of())));
    assertEquals(List.of(), MergeRecords.involving(annProfile));
    assertEquals(List.of(), MergeRecords.involving(bobProfile));
  }
}
