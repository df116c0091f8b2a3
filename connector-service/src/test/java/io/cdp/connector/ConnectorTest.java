package io.cdp.connector;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.Timestamp;
import com.sun.net.httpserver.HttpServer;
import io.cdp.contracts.Topics;
import io.cdp.contracts.audience.v1.MembershipTransition;
import io.cdp.contracts.audience.v1.TransitionKind;
import io.cdp.localstack.KafkaProbe;
import io.cdp.localstack.LocalStackResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Connectors against the real stack: definitions in PostgreSQL, transitions from the broker, a real
 * HTTP receiver on loopback.
 */
@QuarkusTest
@WithTestResource(LocalStackResource.class)
class ConnectorTest {

  private static final String ADMIN = "Bearer test-admin-token";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A request the receiver got. */
  private record Received(String path, String deliveryId, String signature, byte[] body) {
    JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    }
  }

  private static final List<Received> RECEIVED = new CopyOnWriteArrayList<>();
  private static HttpServer receiver;

  @BeforeAll
  static void startReceiver() throws Exception {
    receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    receiver.createContext(
        "/",
        exchange -> {
          byte[] body = exchange.getRequestBody().readAllBytes();
          String path = exchange.getRequestURI().getPath();
          RECEIVED.add(
              new Received(
                  path,
                  exchange.getRequestHeaders().getFirst("X-CDP-Delivery-Id"),
                  exchange.getRequestHeaders().getFirst("X-CDP-Signature"),
                  body));
          if (path.startsWith("/hang")) {
            // Longer than the test profile's delivery timeout.
            sleep(2_500);
          }
          exchange.sendResponseHeaders(path.startsWith("/fail") ? 500 : 204, -1);
          exchange.close();
        });
    // One thread per request, so a hanging answer does not hold up the others.
    receiver.setExecutor(Executors.newCachedThreadPool());
    receiver.start();
  }

  @AfterAll
  static void stopReceiver() {
    if (receiver != null) {
      receiver.stop(0);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static String receiverUrl(String path) {
    return "http://127.0.0.1:" + receiver.getAddress().getPort() + path;
  }

  private static Map<String, Object> definition(String url, String audience, String on) {
    return Map.of(
        "name", "crm-" + UUID.randomUUID(),
        "type", "webhook",
        "config", Map.of("url", url),
        "trigger", Map.of("audience", audience, "on", on),
        "purposes", List.of("advertising"),
        "mapping", Map.of("email", "profile.traits.email"));
  }

  /** Creates a connector and returns {id, secret}. */
  private static String[] create(String url, String audience, String on) {
    var created =
        given()
            .header("Authorization", ADMIN)
            .contentType(ContentType.JSON)
            .body(definition(url, audience, on))
            .post("/v1/connectors")
            .then()
            .statusCode(201)
            .body("secret.length()", greaterThanOrEqualTo(43))
            .extract();
    return new String[] {created.path("id"), created.path("secret")};
  }

  private static void publish(
      String transitionId, String profileId, String audience, TransitionKind kind) {
    Instant now = Instant.now();
    KafkaProbe.ofTestStack()
        .send(
            Topics.AUDIENCES_MEMBERSHIP,
            profileId,
            MembershipTransition.newBuilder()
                .setTransitionId(transitionId)
                .setProfileId(profileId)
                .setAudienceId(audience)
                .setAudienceName("Audience " + audience)
                .setKind(kind)
                .setProfileVersion(1)
                .setOccurredAt(
                    Timestamp.newBuilder().setSeconds(now.getEpochSecond()).setNanos(now.getNano()))
                .build());
  }

  private static List<Received> receivedFor(String connectorId) {
    return RECEIVED.stream()
        .filter(r -> connectorId.equals(r.json().path("connectorId").asText()))
        .toList();
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline) {
      if (condition.getAsBoolean()) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("Timed out waiting for " + what);
  }

  private static String hmacHex(String secret, byte[] body) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    return HexFormat.of().formatHex(mac.doFinal(body));
  }

  @Test
  void aJoinedTransitionArrivesOnceSignedWithTheSecretShownOnlyAtCreation() throws Exception {
    String audience = "aud-" + UUID.randomUUID();
    String profile = "p-" + UUID.randomUUID();
    String[] connector = create(receiverUrl("/ok"), audience, "joined");
    String id = connector[0];
    String secret = connector[1];

    given()
        .header("Authorization", ADMIN)
        .get("/v1/connectors/" + id)
        .then()
        .statusCode(200)
        .body("trigger.on", equalTo("joined"))
        .body("config.url", equalTo(receiverUrl("/ok")))
        .body("$", not(hasKey("secret")));
    given()
        .header("Authorization", ADMIN)
        .get("/v1/connectors")
        .then()
        .statusCode(200)
        .body("id", hasItem(id))
        .body("secret", not(hasItem(secret)));

    String transition = "t-" + UUID.randomUUID();
    publish(transition, profile, audience, TransitionKind.JOINED);
    await("the webhook", () -> !receivedFor(id).isEmpty());

    Received got = receivedFor(id).get(0);
    assertEquals("sha256=" + hmacHex(secret, got.body()), got.signature());
    JsonNode body = got.json();
    assertEquals(profile, body.get("profileId").asText());
    assertEquals(profile, body.at("/data/profileId").asText());
    assertEquals(audience, body.at("/audience/id").asText());
    assertEquals("joined", body.at("/trigger/on").asText());
    assertEquals(got.deliveryId(), body.get("deliveryId").asText());

    // The same transition again (a Kafka redelivery) is not sent twice; a later one of the same
    // profile (same partition, so processed after it) shows the duplicate was already handled.
    publish(transition, profile, audience, TransitionKind.JOINED);
    publish("t-" + UUID.randomUUID(), profile, audience, TransitionKind.JOINED);
    await("the second transition", () -> receivedFor(id).size() >= 2);
    Thread.sleep(300);
    List<Received> all = receivedFor(id);
    assertEquals(2, all.size());
    assertNotEquals(all.get(0).deliveryId(), all.get(1).deliveryId());

    await(
        "both deliveries logged as delivered",
        () ->
            given()
                .header("Authorization", ADMIN)
                .get("/v1/connectors/" + id + "/deliveries")
                .then()
                .extract()
                .<List<String>>path("status")
                .equals(List.of("delivered", "delivered")));
    given()
        .header("Authorization", ADMIN)
        .get("/v1/connectors/" + id + "/deliveries")
        .then()
        .body("attempts", equalTo(List.of(1, 1)))
        .body("profileId", equalTo(List.of(profile, profile)))
        .body("deliveryId[1]", equalTo(got.deliveryId()));
  }

  @Test
  void aReceiverAnswering500EndsFailedAfterEveryAttempt() throws Exception {
    String audience = "aud-" + UUID.randomUUID();
    String id = create(receiverUrl("/fail"), audience, "left")[0];
    publish("t-" + UUID.randomUUID(), "p-" + UUID.randomUUID(), audience, TransitionKind.LEFT);

    await(
        "the delivery to fail",
        () ->
            List.of("failed")
                .equals(
                    given()
                        .header("Authorization", ADMIN)
                        .get("/v1/connectors/" + id + "/deliveries")
                        .then()
                        .extract()
                        .path("status")));
    given()
        .header("Authorization", ADMIN)
        .get("/v1/connectors/" + id + "/deliveries")
        .then()
        .body("[0].attempts", equalTo(3))
        .body("[0].lastError", containsString("500"));
    List<Received> attempts = receivedFor(id);
    assertEquals(3, attempts.size());
    assertTrue(
        attempts.stream().allMatch(r -> r.deliveryId().equals(attempts.get(0).deliveryId())));
  }

  @Test
  void aReceiverThatDoesNotAnswerInTimeIsRetriedThenFailed() throws Exception {
    String audience = "aud-" + UUID.randomUUID();
    String id = create(receiverUrl("/hang"), audience, "joined")[0];
    publish("t-" + UUID.randomUUID(), "p-" + UUID.randomUUID(), audience, TransitionKind.JOINED);

    await(
        "the delivery to time out",
        () ->
            List.of("failed")
                .equals(
                    given()
                        .header("Authorization", ADMIN)
                        .get("/v1/connectors/" + id + "/deliveries")
                        .then()
                        .extract()
                        .path("status")));
    given()
        .header("Authorization", ADMIN)
        .get("/v1/connectors/" + id + "/deliveries")
        .then()
        .body("[0].attempts", equalTo(3))
        .body("[0].lastError", containsString("timeout"));
    assertEquals(3, receivedFor(id).size());
  }

  @Test
  void transitionsOfAnotherAudienceOrKindDeliverNothing() throws Exception {
    String audience = "aud-" + UUID.randomUUID();
    String profile = "p-" + UUID.randomUUID();
    String id = create(receiverUrl("/ok"), audience, "joined")[0];

    publish("t-" + UUID.randomUUID(), profile, "aud-" + UUID.randomUUID(), TransitionKind.JOINED);
    publish("t-" + UUID.randomUUID(), profile, audience, TransitionKind.LEFT);
    // Same profile, same partition: when this one arrives, the two above were handled.
    String marker = "t-" + UUID.randomUUID();
    publish(marker, profile, audience, TransitionKind.JOINED);
    await("the matching transition", () -> !receivedFor(id).isEmpty());
    Thread.sleep(300);
    assertEquals(1, receivedFor(id).size());
    assertEquals("joined", receivedFor(id).get(0).json().at("/trigger/on").asText());
  }

  @Test
  void definitionsAreValidated() {
    Map<String, Object> kafka = new HashMap<>(definition(receiverUrl("/ok"), "a", "joined"));
    kafka.put("type", "kafka");
    given()
        .header("Authorization", ADMIN)
        .contentType(ContentType.JSON)
        .body(kafka)
        .post("/v1/connectors")
        .then()
        .statusCode(422)
        .body("error.code", equalTo("unsupported_type"))
        .body("error.field", equalTo("type"));
    given()
        .header("Authorization", ADMIN)
        .contentType(ContentType.JSON)
        .body(definition("ftp://example.com/x", "a", "joined"))
        .post("/v1/connectors")
        .then()
        .statusCode(422)
        .body("error.code", equalTo("invalid_url"));
    given()
        .header("Authorization", ADMIN)
        .contentType(ContentType.JSON)
        .body(definition(receiverUrl("/ok"), "a", "entered"))
        .post("/v1/connectors")
        .then()
        .statusCode(422)
        .body("error.field", equalTo("trigger.on"));
    given()
        .header("Authorization", ADMIN)
        .contentType(ContentType.JSON)
        .body(Map.of("type", "webhook"))
        .post("/v1/connectors")
        .then()
        .statusCode(400)
        .body("error.code", equalTo("missing_field"))
        .body("error.field", equalTo("name"));
  }

  @Test
  void aConnectorCanBeReplacedAndDeleted() {
    String id = create(receiverUrl("/ok"), "aud-" + UUID.randomUUID(), "joined")[0];
    given()
        .header("Authorization", ADMIN)
        .contentType(ContentType.JSON)
        .body(definition(receiverUrl("/other"), "aud-x", "in_audience_at_visit_start"))
        .put("/v1/connectors/" + id)
        .then()
        .statusCode(200)
        .body("config.url", equalTo(receiverUrl("/other")))
        .body("trigger.on", equalTo("in_audience_at_visit_start"))
        .body("$", not(hasKey("secret")));
    given().header("Authorization", ADMIN).delete("/v1/connectors/" + id).then().statusCode(204);
    given().header("Authorization", ADMIN).get("/v1/connectors/" + id).then().statusCode(404);
    given()
        .header("Authorization", ADMIN)
        .get("/v1/connectors/" + UUID.randomUUID() + "/deliveries")
        .then()
        .statusCode(404)
        .body("error.code", equalTo("not_found"));
    given().header("Authorization", ADMIN).delete("/v1/connectors/nope").then().statusCode(404);
  }

  @Test
  void requestsWithoutTheAdminTokenAreRefused() {
    given()
        .get("/v1/connectors")
        .then()
        .statusCode(401)
        .body("error.code", equalTo("unauthorized"));
    given()
        .contentType(ContentType.JSON)
        .body(definition(receiverUrl("/ok"), "a", "joined"))
        .post("/v1/connectors")
        .then()
        .statusCode(401);
  }
}
