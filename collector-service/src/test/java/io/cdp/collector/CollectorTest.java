package io.cdp.collector;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdp.contracts.collector.v1.RawEvent;
import io.cdp.localstack.LocalStackResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** The collector against the real stack: sources in PostgreSQL, events on the real broker. */
@QuarkusTest
@WithTestResource(LocalStackResource.class)
class CollectorTest {

  @Test
  void aTrackCallIsReadableOnTheRawTopicWithItsFields() throws Exception {
    String writeKey = Stack.newWriteKey();
    String messageId = "m-" + UUID.randomUUID();
    given()
        .auth()
        .preemptive()
        .basic(writeKey, "")
        .contentType(ContentType.JSON)
        .body(
            Map.of(
                "userId",
                "u-42",
                "event",
                "Order Completed",
                "messageId",
                messageId,
                "properties",
                Map.of("revenue", 12.5)))
        .post("/v1/track")
        .then()
        .statusCode(200)
        .body("success", equalTo(true));

    ConsumerRecord<String, RawEvent> record = Stack.readRaw(messageId);
    assertEquals("u-42", record.key());
    assertEquals("track", record.value().getType());
    assertEquals("Order Completed", record.value().getEvent());
    JsonNode payload = new ObjectMapper().readTree(record.value().getPayloadJson().toByteArray());
    assertEquals(12.5, payload.at("/properties/revenue").asDouble());
    assertEquals(true, payload.has("receivedAt"));
  }

  @Test
  void aBatchWithTheWriteKeyInTheBodyIsAcceptedWhole() {
    String writeKey = Stack.newWriteKey();
    String first = "b-" + UUID.randomUUID();
    String second = "b-" + UUID.randomUUID();
    given()
        .contentType(ContentType.JSON)
        .body(
            Map.of(
                "writeKey",
                writeKey,
                "batch",
                List.of(
                    Map.of("type", "identify", "anonymousId", "a-1", "messageId", first),
                    Map.of("type", "page", "anonymousId", "a-1", "messageId", second))))
        .post("/v1/batch")
        .then()
        .statusCode(200);
    assertEquals("identify", Stack.readRaw(first).value().getType());
    assertEquals("a-1", Stack.readRaw(second).key());
  }

  @Test
  void aBatchWithBadEventsNamesThemAndAcceptsNone() {
    String writeKey = Stack.newWriteKey();
    given()
        .auth()
        .preemptive()
        .basic(writeKey, "")
        .contentType(ContentType.JSON)
        .body(
            Map.of(
                "batch",
                List.of(
                    Map.of("type", "track", "userId", "u", "event", "Ok"),
                    Map.of("type", "track", "event", "No identity"),
                    Map.of("type", "teleport", "userId", "u"))))
        .post("/v1/batch")
        .then()
        .statusCode(400)
        .body("error.code", equalTo("invalid_batch"))
        .body("error.details.index", hasItems(1, 2))
        .body("error.details.code", hasItems("missing_identity", "unknown_type"));
  }

  @Test
  void unknownWriteKeysAndMissingAdminTokensAreRefused() {
    given()
        .auth()
        .preemptive()
        .basic("not-a-key", "")
        .contentType(ContentType.JSON)
        .body(Map.of("userId", "u", "event", "E"))
        .post("/v1/track")
        .then()
        .statusCode(401)
        .body("error.code", equalTo("invalid_write_key"));
    given().get("/v1/sources").then().statusCode(401).body("error.code", equalTo("unauthorized"));
    given().header("Authorization", "Bearer wrong").get("/v1/sources").then().statusCode(401);
  }

  @Test
  void malformedJsonIsA400() {
    given()
        .auth()
        .preemptive()
        .basic(Stack.newWriteKey(), "")
        .contentType(ContentType.JSON)
        .body("{not json")
        .post("/v1/track")
        .then()
        .statusCode(400)
        .body("error.code", equalTo("malformed_json"));
  }

  @Test
  void readinessNamesItsKafkaPostgresAndInfinispanChecks() {
    given()
        .get("/q/health/ready")
        .then()
        .statusCode(200)
        .body("status", equalTo("UP"))
        .body("checks.size()", org.hamcrest.Matchers.greaterThanOrEqualTo(3))
        .body("checks.name", notNullValue());
  }
}
