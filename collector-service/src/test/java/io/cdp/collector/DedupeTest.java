package io.cdp.collector;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.cdp.contracts.collector.v1.RawEvent;
import io.cdp.localstack.LocalStackResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** A messageId a source already sent is acknowledged again but reaches Kafka once. */
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
}
