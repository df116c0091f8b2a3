package io.cdp.audience;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.anyOf;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.cdp.contracts.Topics;
import io.cdp.contracts.audience.v1.MembershipTransition;
import io.cdp.contracts.audience.v1.TransitionKind;
import io.cdp.contracts.kafka.Deserializers;
import io.cdp.contracts.profile.v1.Profile;
import io.cdp.contracts.profile.v1.ProfileChange;
import io.cdp.localstack.KafkaProbe;
import io.cdp.localstack.LocalStackResource;
import io.restassured.http.ContentType;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * What the audience service's Quarkus tests share: the API, profile changes in, transitions out.
 */
final class AudienceTestSupport {

  static final String ADMIN = "Bearer test-admin-token";
  static final Duration WAIT = Duration.ofSeconds(30);

  static String createAudience(String name, String rule) {
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

  static ProfileChange change(
      String profileId, long version, String attribute, double value, String email) {
    return change(
        profileId, version, attribute, Value.newBuilder().setNumberValue(value).build(), email);
  }

  /** A change of the profile to version {@code version} with one attribute and one email. */
  static ProfileChange change(
      String profileId, long version, String attribute, Value value, String email) {
    return ProfileChange.newBuilder()
        .setProfileId(profileId)
        .setVersion(version)
        .addChanged(attribute)
        .setSnapshot(
            Profile.newBuilder()
                .setProfileId(profileId)
                .addIdentifiers("email:" + email)
                .setAttributes(Struct.newBuilder().putFields(attribute, value))
                .setVersion(version))
        .build();
  }

  /**
   * A per-test attribute, so that audiences of other tests cannot match its profiles, defined in
   * the profile service with {@code type} (rules naming it are checked against that).
   */
  static String uniqueAttribute(String prefix, String type) {
    String name = prefix + "_" + UUID.randomUUID().toString().replace("-", "");
    defineAttribute(name, type);
    return name;
  }

  /** Defines attribute {@code name} in the profile service, unless it is defined already. */
  static void defineAttribute(String name, String type) {
    URI profileService = URI.create(ProfileServiceResource.url());
    given()
        .baseUri("http://" + profileService.getHost())
        .port(profileService.getPort())
        .header("Authorization", ADMIN)
        .contentType(ContentType.JSON)
        .body(Map.of("name", name, "type", type))
        .post("/v1/attributes")
        .then()
        .statusCode(anyOf(equalTo(201), equalTo(409)));
  }

  static MembershipTransition awaitTransition(
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
  static List<MembershipTransition> transitionsOf(String profileId) {
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
  static void eventually(Runnable assertion) {
    long deadline = System.nanoTime() + WAIT.toNanos();
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

  /**
   * Waits until the service's consumer group has committed every record on {@code topic} written so
   * far: whatever they caused has happened (commits follow processing).
   */
  static void awaitConsumed(String topic) {
    try (Admin admin =
        Admin.create(
            Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                LocalStackResource.kafkaBootstrapServers()))) {
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      admin
          .describeTopics(List.of(topic))
          .allTopicNames()
          .get()
          .get(topic)
          .partitions()
          .forEach(p -> latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
      Map<TopicPartition, Long> end = new HashMap<>();
      admin.listOffsets(latest).all().get().forEach((tp, info) -> end.put(tp, info.offset()));
      eventually(
          () -> {
            Map<TopicPartition, OffsetAndMetadata> committed;
            try {
              committed =
                  admin
                      .listConsumerGroupOffsets("audience-service")
                      .partitionsToOffsetAndMetadata()
                      .get();
            } catch (InterruptedException | ExecutionException e) {
              throw new AssertionError(e);
            }
            end.forEach(
                (tp, offset) -> {
                  OffsetAndMetadata done = committed.get(tp);
                  long at = done == null ? 0 : done.offset();
                  assertTrue(at >= offset, tp + " committed up to " + at + " of " + offset);
                });
          });
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    } catch (ExecutionException e) {
      throw new AssertionError(e);
    }
  }

  private AudienceTestSupport() {}
}
