package io.cdp.collector;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdp.contracts.collector.v1.RawEvent;
import io.cdp.localstack.LocalStackResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** Tealium-style collect: the account/profile pair names the source; events become track calls. */
@QuarkusTest
@WithTestResource(LocalStackResource.class)
class TealiumTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** A source bound to a fresh account and profile "main"; returns the account. */
  private static String newTealiumSource() {
    String account = "acme-" + UUID.randomUUID();
    Stack.newSource(Map.of("tealium", Map.of("account", account, "profile", "main")));
    return account;
  }

  private static ConsumerRecord<String, RawEvent> read(String visitor, String event) {
    return Stack.readRawWhere(
        e -> e.getAnonymousId().equals(visitor) && e.getEvent().equals(event));
  }

  @Test
  void anEventBecomesATrackCallWithItsDataLayerAsProperties() throws Exception {
    String account = newTealiumSource();
    String visitor = "v-" + UUID.randomUUID();
    given()
        .contentType(ContentType.JSON)
        .body(
            Map.of(
                "tealium_account", account,
                "tealium_profile", "main",
                "tealium_visitor_id", visitor,
                "tealium_event", "cart_add",
                "product_id", "p-1",
                "customer_id", "c-42"))
        .post("/event")
        .then()
        .statusCode(200)
        .body("success", equalTo(true));

    ConsumerRecord<String, RawEvent> record = read(visitor, "cart_add");
    assertEquals("track", record.value().getType());
    assertEquals("c-42", record.value().getUserId());
    assertEquals("c-42", record.key());
    JsonNode payload = JSON.readTree(record.value().getPayloadJson().toByteArray());
    assertEquals("p-1", payload.at("/properties/product_id").asText());
    assertFalse(payload.at("/properties").has("tealium_account"));
  }

  @Test
  void aBulkEventSharesItsFieldsWithEveryEvent() {
    String account = newTealiumSource();
    String visitor = "v-" + UUID.randomUUID();
    given()
        .contentType(ContentType.JSON)
        .body(
            Map.of(
                "shared",
                Map.of(
                    "tealium_account", account,
                    "tealium_profile", "main",
                    "tealium_visitor_id", visitor),
                "events",
                List.of(
                    Map.of("tealium_event", "page_view", "page_name", "home"),
                    Map.of("tealium_event", "search", "search_term", "shoes"))))
        .post("/bulk-event")
        .then()
        .statusCode(200);
    assertEquals(visitor, read(visitor, "page_view").key());
    assertEquals(visitor, read(visitor, "search").value().getAnonymousId());
  }

  @Test
  void thePixelAnswersAGifOnceTheEventIsDurable() {
    String account = newTealiumSource();
    String visitor = "v-" + UUID.randomUUID();
    byte[] gif =
        given()
            .queryParam("tealium_account", account)
            .queryParam("tealium_profile", "main")
            .queryParam("tealium_visitor_id", visitor)
            .queryParam("tealium_event", "view")
            .get("/event")
            .then()
            .statusCode(200)
            .contentType("image/gif")
            .extract()
            .asByteArray();
    assertArrayEquals("GIF89a".getBytes(StandardCharsets.US_ASCII), Arrays.copyOf(gif, 6));
    assertEquals("view", read(visitor, "view").value().getEvent());
  }

  @Test
  void anUnknownPairIsRefusedAndAPairBindsOneSourceOnly() {
    given()
        .contentType(ContentType.JSON)
        .body(
            Map.of(
                "tealium_account", "nobody-" + UUID.randomUUID(),
                "tealium_profile", "main",
                "tealium_visitor_id", "v",
                "tealium_event", "view"))
        .post("/event")
        .then()
        .statusCode(401)
        .body("error.code", equalTo("unknown_tealium_source"));
    String account = newTealiumSource();
    given()
        .header("Authorization", Stack.ADMIN)
        .contentType(ContentType.JSON)
        .body(Map.of("name", "twin", "tealium", Map.of("account", account, "profile", "main")))
        .post("/v1/sources")
        .then()
        .statusCode(409)
        .body("error.code", equalTo("tealium_pair_taken"));
  }

  @Test
  void anEventWithoutVisitorOrEventNameIsRefused() {
    String account = newTealiumSource();
    given()
        .contentType(ContentType.JSON)
        .body(Map.of("tealium_account", account, "tealium_profile", "main", "tealium_event", "x"))
        .post("/event")
        .then()
        .statusCode(400)
        .body("error.code", equalTo("missing_identity"));
    given()
        .contentType(ContentType.JSON)
        .body(Map.of("tealium_event", "x", "tealium_visitor_id", "v"))
        .post("/event")
        .then()
        .statusCode(400)
        .body("error.code", equalTo("missing_field"))
        .body("error.field", equalTo("tealium_account"));
  }
}
