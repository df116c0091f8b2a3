package io.cdp.connector;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import com.google.protobuf.Struct;
import com.google.protobuf.Timestamp;
import com.google.protobuf.Value;
import io.cdp.contracts.Topics;
import io.cdp.contracts.audience.v1.MembershipTransition;
import io.cdp.contracts.audience.v1.TransitionKind;
import io.cdp.contracts.collector.v1.RawEvent;
import io.cdp.contracts.consent.v1.PrivacyRequest;
import io.cdp.contracts.consent.v1.PrivacyRequestKind;
import io.cdp.contracts.identity.v1.ResolvedEvent;
import io.cdp.contracts.profile.v1.Profile;
import io.cdp.localstack.KafkaProbe;
import io.cdp.localstack.LocalStackResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What controls a connector's traffic and what it reports, against the real stack and a real
 * receiver ({@link TestReceiver}): the circuit breaker, the rate limit, the crm verbs, the fields
 * report, and the in-memory catalog of connectors. The test profile opens a circuit after 3 failed
 * calls and cools it down for 1 s.
 */
@QuarkusTest
@WithTestResource(LocalStackResource.class)
@WithTestResource(SmtpServerResource.class)
class ConnectorControlsTest {

  private static final String ADMIN = "Bearer test-admin-token";
  private static final ObjectMapper JSON = new ObjectMapper();

  private static TestReceiver receiver;

  @Inject Pool database;

  @BeforeAll
  static void startReceiver() throws Exception {
    receiver = TestReceiver.start();
  }

  @AfterAll
  static void stopReceiver() {
    receiver.close();
  }

  @Test
  void anOpenCircuitHoldsDeliveriesWithoutSpendingTheirAttemptsAndAProbeClosesIt()
      throws Exception {
    String audience = "aud-" + UUID.randomUUID();
    String path = "/circuit/" + UUID.randomUUID();
    // Fails the first 4 calls: the 3 attempts of the first delivery, then the first probe.
    receiver.failFirst(path, 4);
    String id = create(webhook(receiver.url(path), audience, "joined"))[0];
    assertEquals("closed", connector(id).get("circuit").asText());

    publish("t-" + UUID.randomUUID(), "p-" + UUID.randomUUID(), audience, TransitionKind.JOINED);
    await("the first delivery to die", () -> statuses(id).equals(List.of("dead")));
    // 3 failures in a row opened it; nothing is pending, so nothing has asked it to half-open.
    assertEquals("open", connector(id).get("circuit").asText());

    for (int i = 0; i < 5; i++) {
      publish("t-" + UUID.randomUUID(), "p-" + UUID.randomUUID(), audience, TransitionKind.JOINED);
    }
    await(
        "the held deliveries to arrive",
        () -> statuses(id).stream().filter("delivered"::equals).count() == 5);

    // While open no call was made; after each cool-down one probe: the first failed (and
    // reopened the circuit), the second closed it. So 3 + 1 + 5 calls, and the five held
    // deliveries spent 6 attempts in all: none was dead-lettered for the open circuit.
    List<TestReceiver.Request> calls = receiver.to(path);
    assertEquals(9, calls.size());
    assertEquals(4, calls.stream().filter(r -> r.status() == 500).count());
    List<JsonNode> log = deliveries(id);
    assertEquals(1, log.stream().filter(d -> d.get("status").asText().equals("dead")).count());
    assertEquals(
        6,
        log.stream()
            .filter(d -> d.get("status").asText().equals("delivered"))
            .mapToInt(d -> d.get("attempts").asInt())
            .sum());
    assertEquals("closed", connector(id).get("circuit").asText());
    given()
        .get("/q/metrics")
        .then()
        .body(containsString("cdp_connector_circuit_opened_total{connector=\"" + id + "\"} 2.0"))
        .body(containsString("cdp_connector_circuit_open{connector=\"" + id + "\"} 0.0"));
  }

  @Test
  void aRateLimitSpreadsABurstOverTimeAtTheReceiverAndDropsNothing() throws Exception {
    String audience = "aud-" + UUID.randomUUID();
    String path = "/limited/" + UUID.randomUUID();
    Map<String, Object> definition = webhook(receiver.url(path), audience, "joined");
    definition.put("rateLimit", Map.of("perSecond", 4));
    String id = create(definition)[0];
    assertEquals(4, connector(id).at("/rateLimit/perSecond").asInt());

    int burst = 12;
    for (int i = 0; i < burst; i++) {
      publish("t-" + UUID.randomUUID(), "p-" + UUID.randomUUID(), audience, TransitionKind.JOINED);
    }
    await("the whole burst", () -> receiver.to(path).size() == burst);
    await("every delivery logged", () -> statuses(id).stream().allMatch("delivered"::equals));
    assertEquals(burst, statuses(id).size());

    // At 4 a second, 9 calls span at least 2 s as sent; allow half of that at the receiver.
    List<Long> arrivals =
        receiver.to(path).stream().map(TestReceiver.Request::arrivedNanos).sorted().toList();
    for (int i = 0; i + 8 < arrivals.size(); i++) {
      long span = arrivals.get(i + 8) - arrivals.get(i);
      assertTrue(
          span >= Duration.ofSeconds(1).toNanos(),
          "9 calls arrived within " + span / 1_000_000 + " ms");
    }

    given()
        .header("Authorization", ADMIN)
        .contentType(ContentType.JSON)
        .body(
            Map.of(
                "name",
                "x",
                "type",
                "webhook",
                "config",
                Map.of("url", receiver.url("/")),
                "trigger",
                Map.of("audience", "a", "on", "joined"),
                "rateLimit",
                Map.of("perSecond", 0)))
        .post("/v1/connectors")
        .then()
        .statusCode(422)
        .body("error.field", equalTo("rateLimit"));
  }

  @Test
  void aCrmConnectorUpsertsOnJoinAndIdentifyAndDeletesOnLeaveAndErasure() throws Exception {
    String audience = "aud-" + UUID.randomUUID();
    String profile = "p-" + UUID.randomUUID();
    knownProfile(profile, "crm-" + profile + "@example.com", 3);
    String base = "/crm/" + UUID.randomUUID() + "/contacts";
    Map<String, String> mapping = Map.of("email", "profile.traits.email");
    Map<String, Object> onJoin =
        crm(receiver.url(base), Map.of("audience", audience, "on", "joined"), mapping);
    String[] joined = create(onJoin);
    Map<String, Object> onLeave =
        crm(receiver.url(base), Map.of("audience", audience, "on", "left"), Map.of());
    onLeave.put("erasure", true);
    String[] left = create(onLeave);
    String[] identified =
        create(
            crm(
                receiver.url(base),
                Map.of("event", "event.type == 'identify' && event.userId == '" + profile + "'"),
                mapping));

    String record = base + "/" + profile;
    publish("t-" + UUID.randomUUID(), profile, audience, TransitionKind.JOINED);
    await("the upsert", () -> receiver.to(record).size() == 1);
    TestReceiver.Request upsert = receiver.to(record).get(0);
    assertEquals("PUT", upsert.method());
    assertEquals("sha256=" + hmacHex(joined[1], upsert.body()), upsert.signature());
    assertEquals("upsert", upsert.json().get("action").asText());
    assertEquals(joined[0], upsert.json().get("connectorId").asText());
    assertEquals(
        JSON.readTree("{\"email\":\"crm-" + profile + "@example.com\"}"),
        upsert.json().get("data"));

    publishIdentify(profile);
    await("the upsert of the identify", () -> receiver.to(record).size() == 2);
    TestReceiver.Request identify = receiver.to(record).get(1);
    assertEquals("PUT", identify.method());
    assertEquals(identified[0], identify.json().get("connectorId").asText());
    assertEquals("upsert", identify.json().get("action").asText());

    publish("t-" + UUID.randomUUID(), profile, audience, TransitionKind.LEFT);
    await("the delete", () -> receiver.to(record).size() == 3);
    TestReceiver.Request delete = receiver.to(record).get(2);
    assertEquals("DELETE", delete.method());
    assertEquals("delete", delete.json().get("action").asText());
    assertEquals("sha256=" + hmacHex(left[1], delete.body()), delete.signature());
    assertEquals("left", delete.json().at("/trigger/on").asText());

    String requestId = UUID.randomUUID().toString();
    KafkaProbe.ofTestStack()
        .send(
            Topics.PRIVACY_REQUESTS,
            requestId,
            PrivacyRequest.newBuilder()
                .setRequestId(requestId)
                .setKind(PrivacyRequestKind.ERASURE)
                .setIdentifier("user_id:" + profile)
                .addIdentifiers("user_id:" + profile)
                .setProfileId(profile)
                .setRequestedAt(Timestamp.newBuilder().setSeconds(Instant.now().getEpochSecond()))
                .build());
    await("the erasure delete", () -> receiver.to(record).size() == 4);
    TestReceiver.Request erasure = receiver.to(record).get(3);
    assertEquals("DELETE", erasure.method());
    assertEquals("delete", erasure.json().get("action").asText());
    assertEquals("erasure", erasure.json().get("type").asText());
    assertEquals("user_id:" + profile, erasure.json().at("/data/identifiers/0").asText());

    // Connectors taking erasure calls get every erasure: leave none behind for other tests.
    for (String id : List.of(joined[0], left[0], identified[0])) {
      given().header("Authorization", ADMIN).delete("/v1/connectors/" + id).then().statusCode(204);
    }
  }

  @Test
  void theFieldsReportCountsEachFieldOncePerDeliveryThatCarriedIt() throws Exception {
    String audience = "aud-" + UUID.randomUUID();
    String withOrders = "p-" + UUID.randomUUID();
    String withoutOrders = "p-" + UUID.randomUUID();
    knownProfile(withOrders, "a@example.com", 2);
    knownProfile(withoutOrders, "b@example.com", null);
    String id =
        create(
            webhook(
                receiver.url("/fields"),
                Map.of("audience", audience, "on", "joined"),
                Map.of(
                    "email", "profile.traits.email",
                    "orders", "profile.attributes.lifetime_orders",
                    "plan", "profile.traits.plan")))[0];
    given()
        .header("Authorization", ADMIN)
        .get("/v1/connectors/" + id + "/fields")
        .then()
        .statusCode(200)
        .body("size()", equalTo(0));

    String repeated = "t-" + UUID.randomUUID();
    publish(repeated, withOrders, audience, TransitionKind.JOINED);
    publish("t-" + UUID.randomUUID(), withOrders, audience, TransitionKind.JOINED);
    publish("t-" + UUID.randomUUID(), withoutOrders, audience, TransitionKind.JOINED);
    // A redelivered transition is no second delivery, so it counts nothing.
    publish(repeated, withOrders, audience, TransitionKind.JOINED);
    String marker = "t-" + UUID.randomUUID();
    publish(marker, withOrders, audience, TransitionKind.JOINED);
    await(
        "four deliveries",
        () -> statuses(id).size() == 4 && statuses(id).stream().allMatch("delivered"::equals));

    JsonNode report =
        JSON.readTree(
            given()
                .header("Authorization", ADMIN)
                .get("/v1/connectors/" + id + "/fields")
                .then()
                .statusCode(200)
                .extract()
                .asString());
    assertEquals(2, report.size(), report.toString());
    assertEquals("email", report.get(0).get("field").asText());
    assertEquals(4, report.get(0).get("deliveries").asLong());
    assertEquals("orders", report.get(1).get("field").asText());
    assertEquals(3, report.get(1).get("deliveries").asLong());
    assertTrue(report.get(0).hasNonNull("firstSentAt") && report.get(0).hasNonNull("lastSentAt"));
    given()
        .header("Authorization", ADMIN)
        .get("/v1/connectors/" + UUID.randomUUID() + "/fields")
        .then()
        .statusCode(404);
  }

  @Test
  void aReplacedOrDeletedConnectorIsWhatTheNextTransitionSees() throws Exception {
    String before = "aud-" + UUID.randomUUID();
    String after = "aud-" + UUID.randomUUID();
    String profile = "p-" + UUID.randomUUID();
    String path = "/catalog/" + UUID.randomUUID();
    String id = create(webhook(receiver.url(path), before, "joined"))[0];
    given()
        .header("Authorization", ADMIN)
        .contentType(ContentType.JSON)
        .body(webhook(receiver.url(path), after, "joined"))
        .put("/v1/connectors/" + id)
        .then()
        .statusCode(200);

    // Same profile, same partition: the transition of the old audience is handled first.
    publish("t-" + UUID.randomUUID(), profile, before, TransitionKind.JOINED);
    publish("t-" + UUID.randomUUID(), profile, after, TransitionKind.JOINED);
    await("the delivery for the new audience", () -> receiver.to(path).size() == 1);
    assertEquals(after, receiver.to(path).get(0).json().at("/audience/id").asText());

    String other = create(webhook(receiver.url(path + "/other"), after, "joined"))[0];
    given().header("Authorization", ADMIN).delete("/v1/connectors/" + id).then().statusCode(204);
    publish("t-" + UUID.randomUUID(), profile, after, TransitionKind.JOINED);
    await("the other connector's delivery", () -> receiver.to(path + "/other").size() == 1);
    assertEquals(other, receiver.to(path + "/other").get(0).json().get("connectorId").asText());
    Thread.sleep(300);
    assertEquals(
        1,
        receiver.to(path).stream()
            .filter(r -> r.json().get("connectorId").asText().equals(id))
            .count());
  }

  @Test
  void aConnectorWrittenThroughAnotherInstanceIsSeenAfterTheRefresh() throws Exception {
    String audience = "aud-" + UUID.randomUUID();
    String path = "/elsewhere/" + UUID.randomUUID();
    UUID id = UUID.randomUUID();
    // What another instance's POST leaves: the row, and nothing in this instance's memory.
    database
        .preparedQuery(
            "insert into connector.connectors (id, name, type, config_json, secret,"
                + " trigger_audience, trigger_on, purposes_json, mapping_json, erasure,"
                + " created_at, updated_at) values ($1, 'elsewhere', 'webhook', $2, 's', $3,"
                + " 'joined', '[]', '{}', false, now(), now())")
        .execute(Tuple.of(id, "{\"url\":\"" + receiver.url(path) + "\"}", audience))
        .await()
        .atMost(Duration.ofSeconds(30));
    // Until the refresh, transitions find no connector; keep sending until one is delivered.
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (receiver.to(path).isEmpty() && System.nanoTime() < deadline) {
      publish("t-" + UUID.randomUUID(), "p-" + UUID.randomUUID(), audience, TransitionKind.JOINED);
      Thread.sleep(500);
    }
    await("a delivery through the other instance's connector", () -> !receiver.to(path).isEmpty());
    assertEquals(id.toString(), receiver.to(path).get(0).json().get("connectorId").asText());
  }

  private static Map<String, Object> webhook(String url, String audience, String on) {
    return webhook(url, Map.of("audience", audience, "on", on), Map.of());
  }

  private static Map<String, Object> webhook(
      String url, Map<String, Object> trigger, Map<String, String> mapping) {
    Map<String, Object> definition = new HashMap<>();
    definition.put("name", "controls-" + UUID.randomUUID());
    definition.put("type", "webhook");
    definition.put("config", Map.of("url", url));
    definition.put("trigger", trigger);
    definition.put("purposes", List.of("advertising"));
    definition.put("mapping", mapping);
    return definition;
  }

  private static Map<String, Object> crm(
      String url, Map<String, Object> trigger, Map<String, String> mapping) {
    Map<String, Object> definition = webhook(url, trigger, mapping);
    definition.put("type", "crm");
    return definition;
  }

  /** Creates a connector and returns {id, secret}. */
  private static String[] create(Map<String, Object> definition) {
    var created =
        given()
            .header("Authorization", ADMIN)
            .contentType(ContentType.JSON)
            .body(definition)
            .post("/v1/connectors")
            .then()
            .statusCode(201)
            .extract();
    return new String[] {created.path("id"), created.path("secret")};
  }

  private static JsonNode connector(String id) throws Exception {
    return JSON.readTree(
        given()
            .header("Authorization", ADMIN)
            .get("/v1/connectors/" + id)
            .then()
            .statusCode(200)
            .extract()
            .asString());
  }

  private static List<JsonNode> deliveries(String id) throws Exception {
    List<JsonNode> all = new ArrayList<>();
    JSON.readTree(
            given()
                .header("Authorization", ADMIN)
                .get("/v1/connectors/" + id + "/deliveries")
                .then()
                .statusCode(200)
                .extract()
                .asString())
        .forEach(all::add);
    return all;
  }

  private static List<String> statuses(String id) {
    try {
      return deliveries(id).stream().map(d -> d.get("status").asText()).toList();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
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

  /** An identify event of {@code profileId} whose user id is the profile id. */
  private static void publishIdentify(String profileId) {
    String messageId = "m-" + UUID.randomUUID();
    Instant now = Instant.now();
    KafkaProbe.ofTestStack()
        .send(
            Topics.EVENTS_RESOLVED,
            profileId,
            ResolvedEvent.newBuilder()
                .setProfileId(profileId)
                .setEvent(
                    RawEvent.newBuilder()
                        .setMessageId(messageId)
                        .setType("identify")
                        .setUserId(profileId)
                        .setTimestamp(
                            Timestamp.newBuilder()
                                .setSeconds(now.getEpochSecond())
                                .setNanos(now.getNano()))
                        .setPayloadJson(
                            ByteString.copyFromUtf8(
                                "{\"type\":\"identify\",\"userId\":\""
                                    + profileId
                                    + "\",\"messageId\":\""
                                    + messageId
                                    + "\"}")))
                .build());
  }

  /** Puts a profile in the profile service double; {@code orders} null: no such attribute. */
  private static void knownProfile(String profileId, String email, Integer orders) {
    Struct.Builder attributes = Struct.newBuilder();
    if (orders != null) {
      attributes.putFields("lifetime_orders", Value.newBuilder().setNumberValue(orders).build());
    }
    ProfilesDouble.PROFILES.put(
        profileId,
        Profile.newBuilder()
            .setProfileId(profileId)
            .setTraits(
                Struct.newBuilder()
                    .putFields("email", Value.newBuilder().setStringValue(email).build()))
            .setAttributes(attributes)
            .build());
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
}
