package io.cdp.collector;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cdp.contracts.Topics;
import io.cdp.contracts.collector.v1.RawEvent;
import io.cdp.localstack.LocalStackResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * A messageId a source already sent is acknowledged again but reaches Kafka once, also when another
 * replica forwarded it: replicas share what they forwarded through cdp.collector.forwarded.
 */
@QuarkusTest
@WithTestResource(LocalStackResource.class)
class DedupeTest {

  private static void track(String writeKey, String userId, String messageId) {
    Stack.as(writeKey)
        .contentType(ContentType.JSON)
        .body(Map.of("userId", userId, "event", "Order Completed", "messageId", messageId))
        .post("/v1/track")
        .then()
        .statusCode(200);
  }

  @Test
  void theSameEventSentTwiceReachesKafkaOnceAndIsCounted() {
    Map<String, Object> source = Stack.newSource(Map.of());
    String writeKey = (String) source.get("writeKey");
    String userId = "u-" + UUID.randomUUID();
    String messageId = "d-" + UUID.randomUUID();
    track(writeKey, userId, messageId);
    track(writeKey, userId, messageId);
    // and once more inside a batch, next to its own copy
    Stack.as(writeKey)
        .contentType(ContentType.JSON)
        .body(
            Map.of(
                "batch",
                List.of(
                    Map.of("type", "track", "userId", userId, "event", "E", "messageId", messageId),
                    Map.of(
                        "type", "track", "userId", userId, "event", "E", "messageId", messageId))))
        .post("/v1/batch")
        .then()
        .statusCode(200);
    String marker = "marker-" + UUID.randomUUID();
    track(writeKey, userId, marker);

    List<RawEvent> copies = Stack.readAllBefore(messageId, marker);
    assertEquals(1, copies.size());
    given()
        .get("/q/metrics")
        .then()
        .statusCode(200)
        .body(
            containsString(
                "cdp_collector_events_duplicates_total{source=\"" + source.get("id") + "\"} 3.0"));
  }

  @Test
  void anotherSourceMayUseTheSameMessageId() {
    String userId = "u-" + UUID.randomUUID();
    String messageId = "d-" + UUID.randomUUID();
    track(Stack.newWriteKey(), userId, messageId);
    String other = Stack.newWriteKey();
    track(other, userId, messageId);
    String marker = "marker-" + UUID.randomUUID();
    track(other, userId, marker);
    assertEquals(2, Stack.readAllBefore(messageId, marker).size());
  }

  @Test
  void whatThisReplicaForwardsIsPublishedForTheOtherReplicas() {
    Map<String, Object> source = Stack.newSource(Map.of());
    String messageId = "d-" + UUID.randomUUID();
    track((String) source.get("writeKey"), "u-" + UUID.randomUUID(), messageId);
    ByteBuffer expected = ByteBuffer.wrap(digest((String) source.get("id"), messageId));
    try (var consumer =
        Stack.consumerFromStart(
            Topics.COLLECTOR_FORWARDED, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      long deadline = System.currentTimeMillis() + 30_000;
      while (System.currentTimeMillis() < deadline) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          ByteBuffer ids = ByteBuffer.wrap(record.value());
          for (int at = 0; at + 16 <= record.value().length; at += 16) {
            if (ids.slice(at, 16).equals(expected)) {
              return;
            }
          }
        }
      }
    }
    throw new AssertionError("The forwarded id never reached " + Topics.COLLECTOR_FORWARDED);
  }

  @Test
  void anEventAnotherReplicaForwardedIsAcknowledgedButNotForwardedAgain() throws Exception {
    Map<String, Object> source = Stack.newSource(Map.of());
    String writeKey = (String) source.get("writeKey");
    String userId = "u-" + UUID.randomUUID();
    String messageId = "d-" + UUID.randomUUID();
    double held = heldIds();
    // Another replica forwarded it and said so
    try (var producer =
        new KafkaProducer<byte[], byte[]>(
            Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                LocalStackResource.kafkaBootstrapServers()),
            new ByteArraySerializer(),
            new ByteArraySerializer())) {
      producer
          .send(
              new ProducerRecord<>(
                  Topics.COLLECTOR_FORWARDED, digest((String) source.get("id"), messageId)))
          .get();
    }
    long deadline = System.currentTimeMillis() + 30_000;
    while (heldIds() < held + 1) {
      assertTrue(System.currentTimeMillis() < deadline, "the record was never read");
      Thread.sleep(100);
    }
    track(writeKey, userId, messageId);
    String marker = "marker-" + UUID.randomUUID();
    track(writeKey, userId, marker);
    assertEquals(0, Stack.readAllBefore(messageId, marker).size());
  }

  /** The first 16 bytes of SHA-256(source id, NUL, messageId): the wire format of the topic. */
  private static byte[] digest(String sourceId, String messageId) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update((sourceId + "\0" + messageId).getBytes(StandardCharsets.UTF_8));
      return Arrays.copyOf(sha.digest(), 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The collector's gauge of messageIds held. */
  private static double heldIds() {
    String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
    return metrics
        .lines()
        .filter(line -> line.startsWith("cdp_collector_dedupe_ids"))
        .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
        .findFirst()
        .orElseThrow();
  }
}
