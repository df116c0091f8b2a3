package io.cdp.collector;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdp.localstack.LocalStackResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

/** Size limits (32 KB per event, 500 KB per request, 2,500 events per batch) and gzip bodies. */
@QuarkusTest
@WithTestResource(LocalStackResource.class)
class LimitsTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static Map<String, Object> track(String messageId, int padding) {
    return Map.of(
        "type",
        "track",
        "userId",
        "u-limits",
        "event",
        "Viewed",
        "messageId",
        messageId,
        "properties",
        Map.of("padding", "x".repeat(padding)));
  }

  private static byte[] gzip(byte[] bytes) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream zip = new GZIPOutputStream(out)) {
      zip.write(bytes);
    }
    return out.toByteArray();
  }

  @Test
  void anEventOver32KbIsRefusedWith413() {
    Stack.as(Stack.newWriteKey())
        .contentType(ContentType.JSON)
        .body(track("big-" + UUID.randomUUID(), 33 * 1024))
        .post("/v1/track")
        .then()
        .statusCode(413)
        .body("error.code", equalTo("event_too_large"));
  }

  @Test
  void aBatchWithAnOversizedEventNamesItAndAcceptsNone() {
    Stack.as(Stack.newWriteKey())
        .contentType(ContentType.JSON)
        .body(Map.of("batch", List.of(track("ok", 10), track("big", 33 * 1024))))
        .post("/v1/batch")
        .then()
        .statusCode(400)
        .body("error.code", equalTo("invalid_batch"))
        .body("error.details.index", hasItems(1))
        .body("error.details.code", hasItems("event_too_large"));
  }

  @Test
  void aRequestOver500KbIsRefusedWith413AndAJsonError() {
    List<Map<String, Object>> batch = new ArrayList<>();
    for (int i = 0; i < 25; i++) {
      batch.add(track("r-" + i, 24 * 1024)); // 25 events of 24 KB: each fine, 600 KB together
    }
    Stack.as(Stack.newWriteKey())
        .contentType(ContentType.JSON)
        .body(Map.of("batch", batch))
        .post("/v1/batch")
        .then()
        .statusCode(413)
        .contentType(ContentType.JSON)
        .body("error.code", equalTo("request_too_large"));
  }

  @Test
  void moreThan2500EventsInABatchAreRefused() {
    List<Map<String, Object>> batch = new ArrayList<>();
    for (int i = 0; i < 2501; i++) {
      batch.add(Map.of("type", "page", "anonymousId", "a"));
    }
    Stack.as(Stack.newWriteKey())
        .contentType(ContentType.JSON)
        .body(Map.of("batch", batch))
        .post("/v1/batch")
        .then()
        .statusCode(400)
        .body("error.code", equalTo("too_many_events"));
    given()
        .get("/q/metrics")
        .then()
        .body(
            containsString(
                "cdp_collector_events_rejected_total{reason=\"too_many_events\"} 2501.0"));
  }

  @Test
  void aGzippedBatchIsAccepted() throws Exception {
    String first = "gz-" + UUID.randomUUID();
    String second = "gz-" + UUID.randomUUID();
    byte[] body =
        JSON.writeValueAsBytes(Map.of("batch", List.of(track(first, 100), track(second, 100))));
    Stack.as(Stack.newWriteKey())
        .contentType(ContentType.JSON)
        .header("Content-Encoding", "gzip")
        .body(gzip(body))
        .post("/v1/batch")
        .then()
        .statusCode(200)
        .body("success", equalTo(true));
    assertEquals("Viewed", Stack.readRaw(first).value().getEvent());
    assertEquals("u-limits", Stack.readRaw(second).key());
  }

  @Test
  void aGzipBodyThatInflatesPast500KbIsRefused() throws Exception {
    List<Map<String, Object>> batch = new ArrayList<>();
    for (int i = 0; i < 25; i++) {
      batch.add(track("z-" + i, 24 * 1024));
    }
    byte[] compressed = gzip(JSON.writeValueAsBytes(Map.of("batch", batch)));
    Stack.as(Stack.newWriteKey())
        .contentType(ContentType.JSON)
        .header("Content-Encoding", "gzip")
        .body(compressed)
        .post("/v1/batch")
        .then()
        .statusCode(413)
        .body("error.code", equalTo("request_too_large"));
  }
}
