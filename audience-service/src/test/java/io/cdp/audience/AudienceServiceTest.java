package io.cdp.audience;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.cdp.audience.store.MembershipSet;
import io.cdp.contracts.Topics;
import io.cdp.contracts.audience.v1.MembershipTransition;
import io.cdp.contracts.audience.v1.TransitionKind;
import io.cdp.contracts.kafka.Deserializers;
import io.cdp.contracts.profile.v1.Profile;
import io.cdp.contracts.profile.v1.ProfileChange;
import io.cdp.contracts.profile.v1.ProfilesGrpc;
import io.cdp.localstack.KafkaProbe;
import io.cdp.localstack.LocalStackResource;
import io.quarkus.infinispan.client.Remote;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.io.ByteArrayInputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.infinispan.client.hotrod.RemoteCache;
import org.junit.jupiter.api.Test;

/** The audience service against the real stack: definitions in PostgreSQL, transitions on Kafka. */
@QuarkusTest
@WithTestResource(LocalStackResource.class)
class AudienceServiceTest {

  private static final String ADMIN = "Bearer test-admin-token";
  private static final Duration WAIT = Duration.ofSeconds(30);

  @Inject
  @Remote("memberships")
  RemoteCache<String, MembershipSet> memberships;

  private static String createAudience(String name, String rule) {
    return given()
        .header("Authorization", ADMIN)
        .contentType(ContentType.JSON)
        .body(Map.of("name", name, "rule", rule))
        .post("/v1/audiences")
        .then()
        .statusCode(201)
        .body("name", equalTo(name))
        .body("rule", equalTo(rule))
        .body("createdAt", notNullValue())
        .body("updatedAt", notNullValue())
        .extract()
        .path("id");
  }

  @Test
  void anAudienceIsCreatedReadReplacedAndDeleted() {
    String name = "High value " + UUID.randomUUID();
    String id = createAudience(name, "profile.attributes.lifetime_orders >= 2");
    given()
        .header("Authorization", ADMIN)
        .get("/v1/audiences/" + id)
        .then()
        .statusCode(200)
        .body("id", equalTo(id))
        .body("size", equalTo(0));
    given()
        .header("Authorization", ADMIN)
        .get("/v1/audiences")
        .then()
        .statusCode(200)
        .body("name", hasItem(name));
    given()
        .header("Authorization", ADMIN)
        .contentType(ContentType.JSON)
        .body(Map.of("name", name + " v2", "rule", "'vip' in profile.badges"))
        .put("/v1/audiences/" + id)
        .then()
        .statusCode(200)
        .body("name", equalTo(name + " v2"))
        .body("rule", equalTo("'vip' in profile.badges"));
    given().header("Authorization", ADMIN).delete("/v1/audiences/" + id).then().statusCode(204);
    given()
        .header("Authorization", ADMIN)
        .get("/v1/audiences/" + id)
        .then()
        .statusCode(404)
        .body("error.code", equalTo("not_found"));
    given()
        .header("Authorization", ADMIN)
        .delete("/v1/audiences/" + UUID.randomUUID())
        .then()
        .statusCode(404);
    given().get("/v1/audiences").then().statusCode(401);
  }

  @Test
  void aRuleThatDoesNotCompileIsA422WithTheCompilersMessageAndNothingIsSaved() {
    String name = "Broken " + UUID.randomUUID();
    given()
        .header("Authorization", ADMIN)
        .contentType(ContentType.JSON)
        .body(Map.of("name", name, "rule", "profile.attributes.lifetime_orders >= "))
        .post("/v1/audiences")
        .then()
        .statusCode(422)
        .body("error.code", equalTo("invalid_rule"))
        .body("error.field", equalTo("rule"))
        .body("error.message", containsString("<input>:1:"));
    given()
        .header("Authorization", ADMIN)
        .contentType(ContentType.JSON)
        .body(Map.of("name", name, "rule", "profile.attributes.lifetime_orders + 1"))
        .post("/v1/audiences")
        .then()
        .statusCode(422)
        .body("error.message", containsString("must return a bool"));
    given()
        .header("Authorization", ADMIN)
        .get("/v1/audiences")
        .then()
        .statusCode(200)
        .body("name", not(hasItem(name)));
  }

  @Test
  void aProfileJoinsLeavesAndRejoinsOncePerChangeAndIgnoresRedeliveries() {
    // A per-test attribute, so audiences of other tests cannot interfere with the counts.
    String attribute = "orders_" + UUID.randomUUID().toString().replace("-", "");
    String audienceId = createAudience("Buyers", "profile.attributes." + attribute + " >= 2");
    String profileId = "p-" + UUID.randomUUID();
    String email = "ann-" + UUID.randomUUID() + "@example.com";

    ProfileChange matching = change(profileId, 1, attribute, 3, email);
    KafkaProbe.ofTestStack().send(Topics.PROFILES_CHANGES, profileId, matching);
    MembershipTransition joined = awaitTransition(profileId, audienceId, TransitionKind.JOINED, 1);
    assertEquals("Buyers", joined.getAudienceName());

    eventually(
        () ->
            given()
                .header("Authorization", ADMIN)
                .get("/v1/memberships/email:" + email.toUpperCase())
                .then()
                .statusCode(200)
                .body("profileId", equalTo(profileId))
                .body("audiences.id", hasItem(audienceId))
                .body("audiences.name", hasItem("Buyers"))
                .body("audiences.since", hasItem(notNullValue())));
    given()
        .header("Authorization", ADMIN)
        .get("/v1/audiences/" + audienceId)
        .then()
        .body("size", equalTo(1));
    eventually(
        () -> {
          MembershipSet hot = memberships.get(profileId);
          assertEquals(1, hot == null ? -1 : hot.version());
          assertTrue(hot.audienceIds().contains(audienceId), "the hot copy has the membership");
        });

    // The same change again (a redelivery), then a later version that no longer matches.
    KafkaProbe.ofTestStack().send(Topics.PROFILES_CHANGES, profileId, matching);
    KafkaProbe.ofTestStack()
        .send(Topics.PROFILES_CHANGES, profileId, change(profileId, 2, attribute, 1, email));
    awaitTransition(profileId, audienceId, TransitionKind.LEFT, 2);

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

    // v1 redelivered late (stale: it would rejoin if replayed), then v3 that matches again.
    KafkaProbe.ofTestStack().send(Topics.PROFILES_CHANGES, profileId, matching);
    KafkaProbe.ofTestStack()
        .send(Topics.PROFILES_CHANGES, profileId, change(profileId, 3, attribute, 5, email));
    awaitTransition(profileId, audienceId, TransitionKind.JOINED, 3);

    // Same key, same partition: both redeliveries were handled before v3's transition.
    List<MembershipTransition> all = transitionsOf(profileId);
    assertEquals(
        List.of("JOINED@1", "LEFT@2", "JOINED@3"),
        all.stream().map(t -> t.getKind() + "@" + t.getProfileVersion()).toList());
    assertEquals(joined.getTransitionId(), all.get(0).getTransitionId());
    given()
        .header("Authorization", ADMIN)
        .get("/v1/audiences/" + audienceId)
        .then()
        .body("size", equalTo(1));
  }

  @Test
  void aDeletedProfileLeavesItsAudiencesAndIsNoLongerFound() {
    String attribute = "spend_" + UUID.randomUUID().toString().replace("-", "");
    String audienceId = createAudience("Spenders", "profile.attributes." + attribute + " > 100");
    String profileId = "p-" + UUID.randomUUID();
    String email = "bob-" + UUID.randomUUID() + "@example.com";
    KafkaProbe.ofTestStack()
        .send(Topics.PROFILES_CHANGES, profileId, change(profileId, 4, attribute, 250, email));
    awaitTransition(profileId, audienceId, TransitionKind.JOINED, 4);

    KafkaProbe.ofTestStack()
        .send(
            Topics.PROFILES_CHANGES,
            profileId,
            ProfileChange.newBuilder()
                .setProfileId(profileId)
                .setVersion(5)
                .setDeleted(true)
                .build());
    awaitTransition(profileId, audienceId, TransitionKind.LEFT, 5);
    eventually(
        () ->
            given()
                .header("Authorization", ADMIN)
                .get("/v1/memberships/email:" + email)
                .then()
                .statusCode(404));
    eventually(() -> assertNull(memberships.get(profileId), "the hot copy is gone"));
  }

  @Test
  void unknownIdentifiersAreA404() {
    given()
        .header("Authorization", ADMIN)
        .get("/v1/memberships/user_id:" + UUID.randomUUID())
        .then()
        .statusCode(404)
        .body("error.code", equalTo("not_found"));
  }

  @Test
  void theGrpcStubsStillMarshalWithCelsProtobufRuntime() throws Exception {
    Profile profile =
        Profile.newBuilder()
            .setProfileId("p")
            .setAttributes(
                Struct.newBuilder().putFields("n", Value.newBuilder().setNumberValue(2).build()))
            .build();
    Profile parsed =
        ProfilesGrpc.getGetProfileMethod()
            .parseResponse(new ByteArrayInputStream(profile.toByteArray()));
    assertEquals(profile, parsed);
  }

  private static ProfileChange change(
      String profileId, long version, String attribute, double value, String email) {
    return ProfileChange.newBuilder()
        .setProfileId(profileId)
        .setVersion(version)
        .addChanged(attribute)
        .setSnapshot(
            Profile.newBuilder()
                .setProfileId(profileId)
                .addIdentifiers("email:" + email)
                .setAttributes(
                    Struct.newBuilder()
                        .putFields(attribute, Value.newBuilder().setNumberValue(value).build()))
                .setVersion(version))
        .build();
  }

  private static MembershipTransition awaitTransition(
      String profileId, String audienceId, TransitionKind kind, long version) {
    ConsumerRecord<String, MembershipTransition> record =
        KafkaProbe.ofTestStack()
            .await(
                Topics.AUDIENCES_MEMBERSHIP,
                new Deserializers.MembershipTransitionDeserializer(),
                t ->
                    t.getProfileId().equals(profileId)
                        && t.getAudienceId().equals(audienceId)
                        && t.getKind() == kind
                        && t.getProfileVersion() == version,
                WAIT);
    assertEquals(profileId, record.key());
    return record.value();
  }

  /** Every transition of {@code profileId} on the topic now, in offset order. */
  private static List<MembershipTransition> transitionsOf(String profileId) {
    Map<String, Object> config =
        Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
            LocalStackResource.kafkaBootstrapServers(),
            ConsumerConfig.GROUP_ID_CONFIG,
            "count-" + UUID.randomUUID());
    List<MembershipTransition> found = new ArrayList<>();
    try (var consumer =
        new KafkaConsumer<>(
            config,
            new StringDeserializer(),
            new Deserializers.MembershipTransitionDeserializer())) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(Topics.AUDIENCES_MEMBERSHIP).stream()
              .map(p -> new TopicPartition(p.topic(), p.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("Could not read " + Topics.AUDIENCES_MEMBERSHIP + " to its end");
        }
        for (ConsumerRecord<String, MembershipTransition> r :
            consumer.poll(Duration.ofMillis(200))) {
          if (r.key().equals(profileId)) {
            found.add(r.value());
          }
        }
      }
    }
    return found;
  }

  /** Retries an assertion until it holds: the REST view follows the commit, not the publish. */
  private static void eventually(Runnable assertion) {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (true) {
      try {
        assertion.run();
        return;
      } catch (AssertionError e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
        try {
          Thread.sleep(100);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw e;
        }
      }
    }
  }
}
