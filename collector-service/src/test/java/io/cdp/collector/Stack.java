package io.cdp.collector;

import static io.restassured.RestAssured.given;

import io.cdp.contracts.Topics;
import io.cdp.contracts.collector.v1.RawEvent;
import io.cdp.contracts.kafka.Deserializers;
import io.cdp.localstack.KafkaProbe;
import io.cdp.localstack.LocalStackResource;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** What the collector's tests share: sources through the API, and reading cdp.events.raw. */
final class Stack {

  static final String ADMIN = "Bearer test-admin-token";

  private Stack() {}

  /** A new source (fresh name); returns the API's view of it. */
  static Map<String, Object> newSource(Map<String, Object> extra) {
    Map<String, Object> body = new java.util.HashMap<>(extra);
    body.put("name", "web-" + UUID.randomUUID());
    return given()
        .header("Authorization", ADMIN)
        .contentType(ContentType.JSON)
        .body(body)
        .post("/v1/sources")
        .then()
        .statusCode(201)
        .extract()
        .jsonPath()
        .getMap("");
  }

  static String newWriteKey() {
    return (String) newSource(Map.of()).get("writeKey");
  }

  /** A request authenticated as the source of {@code writeKey}, as Segment's libraries do. */
  static RequestSpecification as(String writeKey) {
    return given().auth().preemptive().basic(writeKey, "");
  }

  /** Reads cdp.events.raw from the beginning until the event with {@code messageId} appears. */
  static ConsumerRecord<String, RawEvent> readRaw(String messageId) {
    return KafkaProbe.ofTestStack()
        .await(
            Topics.EVENTS_RAW,
            new Deserializers.RawEventDeserializer(),
            event -> event.getMessageId().equals(messageId),
            Duration.ofSeconds(30));
  }

  /** Reads cdp.events.raw from the beginning until an event matches. */
  static ConsumerRecord<String, RawEvent> readRawWhere(
      java.util.function.Predicate<RawEvent> match) {
    return KafkaProbe.ofTestStack()
        .await(
            Topics.EVENTS_RAW,
            new Deserializers.RawEventDeserializer(),
            match,
            Duration.ofSeconds(30));
  }

  /**
   * Every record with {@code messageId} written before the record {@code marker}. Both must share a
   * key, hence a partition, so once the marker is read every earlier record has been too.
   */
  static List<RawEvent> readAllBefore(String messageId, String marker) {
    List<RawEvent> found = new ArrayList<>();
    try (var consumer = rawConsumer()) {
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (System.nanoTime() < deadline) {
        for (ConsumerRecord<String, RawEvent> record : consumer.poll(Duration.ofMillis(200))) {
          if (record.value().getMessageId().equals(marker)) {
            return found;
          }
          if (record.value().getMessageId().equals(messageId)) {
            found.add(record.value());
          }
        }
      }
    }
    throw new AssertionError("The marker " + marker + " never reached " + Topics.EVENTS_RAW);
  }

  /** Reads cdp.events.raw from the beginning until every event of {@code messageIds} appeared. */
  static Map<String, RawEvent> readRaw(Set<String> messageIds) {
    Map<String, RawEvent> found = new HashMap<>();
    try (var consumer = rawConsumer()) {
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (System.nanoTime() < deadline) {
        for (ConsumerRecord<String, RawEvent> record : consumer.poll(Duration.ofMillis(200))) {
          if (messageIds.contains(record.value().getMessageId())) {
            found.put(record.value().getMessageId(), record.value());
          }
        }
        if (found.keySet().containsAll(messageIds)) {
          return found;
        }
      }
    }
    Set<String> missing = new TreeSet<>(messageIds);
    missing.removeAll(found.keySet());
    throw new AssertionError("Never reached " + Topics.EVENTS_RAW + ": " + missing);
  }

  /** A consumer of cdp.events.raw in a new group, reading from the beginning. */
  private static KafkaConsumer<String, RawEvent> rawConsumer() {
    return consumerFromStart(
        Topics.EVENTS_RAW, new StringDeserializer(), new Deserializers.RawEventDeserializer());
  }

  /** A consumer of {@code topic} in a new group, reading from the beginning. */
  static <K, V> KafkaConsumer<K, V> consumerFromStart(
      String topic, Deserializer<K> keys, Deserializer<V> values) {
    Map<String, Object> config =
        Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
            LocalStackResource.kafkaBootstrapServers(),
            ConsumerConfig.GROUP_ID_CONFIG,
            "test-" + UUID.randomUUID(),
            ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
            "earliest");
    KafkaConsumer<K, V> consumer = new KafkaConsumer<>(config, keys, values);
    consumer.subscribe(List.of(topic));
    return consumer;
  }
}
