package io.cdp.collector;

import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdp.contracts.collector.v1.RawEvent;
import io.cdp.localstack.LocalStackResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

/**
 * The real Node SDKs' requests to {@code /v1/batch}, as recorded from them by {@code
 * src/test/sdk/record.js}, replayed with their headers (fresh messageIds only): both are accepted
 * and their events reach Kafka. RudderStack's client sends gzip labelled as a form.
 */
@QuarkusTest
@WithTestResource(LocalStackResource.class)
class SdkWireFormatTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TestHTTPResource("/v1/batch")
  URI batch;

  private static String fixture(String name) throws Exception {
    try (InputStream in = SdkWireFormatTest.class.getResourceAsStream("/sdk/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static JsonNode payload(RawEvent event) throws Exception {
    return JSON.readTree(event.getPayloadJson().toByteArray());
  }

  @Test
  void segmentAnalyticsNodeBatchesAreAccepted() throws Exception {
    String identify = "seg-" + UUID.randomUUID();
    String track = "seg-" + UUID.randomUUID();
    String body =
        fixture("segment-analytics-node-3.1.0.json")
            .replace("node-next-1795567002370-910001c2-1ee2-43f9-b1d7-b18a9dba9e0f", identify)
            .replace("node-next-1795567002370-01c21ee2-93f9-41d7-b18a-9dba9e0f8ed1", track);
    Stack.as(Stack.newWriteKey())
        .header("Content-Type", "application/json")
        .header("User-Agent", "analytics-node-next/latest")
        .body(body)
        .post("/v1/batch")
        .then()
        .statusCode(200)
        .body("success", equalTo(true));
    assertEquals(
        "ann@example.com", payload(Stack.readRaw(identify).value()).at("/traits/email").asText());
    RawEvent order = Stack.readRaw(track).value();
    assertEquals("Order Completed", order.getEvent());
    assertEquals("@segment/analytics-node", payload(order).at("/context/library/name").asText());
  }

  @Test
  void rudderSdkNodeGzippedBatchesAreAcceptedWithTheirEventTime() throws Exception {
    String messageId = "rudder-" + UUID.randomUUID();
    String body =
        fixture("rudder-sdk-node-3.0.13.json")
            .replace("41160195-72e1-4e58-baa6-96e725983354", messageId);
    ByteArrayOutputStream gzipped = new ByteArrayOutputStream();
    try (GZIPOutputStream zip = new GZIPOutputStream(gzipped)) {
      zip.write(body.getBytes(StandardCharsets.UTF_8));
    }
    // over HTTP/1.1 as the SDK does, with the JDK client: RestAssured will not send raw bytes
    // labelled as a form
    HttpRequest request =
        HttpRequest.newBuilder(batch)
            .header(
                "Authorization",
                "Basic "
                    + Base64.getEncoder()
                        .encodeToString(
                            (Stack.newWriteKey() + ":").getBytes(StandardCharsets.UTF_8)))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("Content-Encoding", "gzip")
            .header("User-Agent", "analytics-node/3.0.13")
            .POST(HttpRequest.BodyPublishers.ofByteArray(gzipped.toByteArray()))
            .build();
    HttpResponse<String> response =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .build()
            .send(request, HttpResponse.BodyHandlers.ofString());
    assertEquals(200, response.statusCode(), response.body());
    JsonNode event = payload(Stack.readRaw(messageId).value());
    // originalTimestamp 42.439, sentAt 42.476: the event happened 37 ms before the collector got it
    assertEquals(
        Duration.ofMillis(37),
        Duration.between(
            Instant.parse(event.get("timestamp").asText()),
            Instant.parse(event.get("receivedAt").asText())));
  }
}
