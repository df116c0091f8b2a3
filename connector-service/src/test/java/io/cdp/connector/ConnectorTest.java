package io.cdp.connector;

import static io.restassured.RestAssured.given;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import com.google.protobuf.Struct;
import com.google.protobuf.Timestamp;
import com.google.protobuf.Value;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.sun.net.httpserver.HttpServer;
import io.cdp.connector.messaging.ConsentView;
import io.cdp.contracts.Topics;
import io.cdp.contracts.audience.v1.MembershipTransition;
import io.cdp.contracts.audience.v1.TransitionKind;
import io.cdp.contracts.collector.v1.RawEvent;
import io.cdp.contracts.connector.v1.DeadDelivery;
import io.cdp.contracts.consent.v1.CheckRequest;
import io.cdp.contracts.consent.v1.ConsentChange;
import io.cdp.contracts.consent.v1.PrivacyAck;
import io.cdp.contracts.consent.v1.PrivacyRequest;
import io.cdp.contracts.consent.v1.PrivacyRequestKind;
import io.cdp.contracts.identity.v1.ResolvedEvent;
import io.cdp.contracts.kafka.Deserializers;
import io.cdp.contracts.profile.v1.Profile;
import io.cdp.localstack.KafkaProbe;
import io.cdp.localstack.LocalStackResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Connectors against the real stack: definitions and the outbox in PostgreSQL, transitions from the
 * broker, real HTTP receivers on loopback, and the profile and consent services played by gRPC test
 * doubles ({@link ProfilesDouble}, {@link ConsentDouble}) served by the test app.
 */
@QuarkusTest
@WithTestResource(LocalStackResource.class)
@WithTestResource(SmtpServerResource.class)
class ConnectorTest {

  private static final String ADMIN = "Bearer test-admin-token";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A request a receiver got. */
  private record Received(String path, String deliveryId, String signature, byte[] body) {
    JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    }
  }

  @Inject Pool database;
  @Inject ConsentView consentView;

  private static final List<Received> RECEIVED = new CopyOnWriteArrayList<>();

  /** Paths under {@code /flaky/} answer 500 while they are in this set. */
  private static final Set<String> FAILING = ConcurrentHashMap.newKeySet();

  /** Held by the hanging receiver until the test ends. */
  private static final CountDownLatch RELEASE = new CountDownLatch(1);

  private static HttpServer receiver;
  private static HttpServer hangingReceiver;

  @BeforeAll
  static void startReceivers() throws Exception {
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
          boolean fail = path.startsWith("/fail") || FAILING.contains(path);
          exchange.sendResponseHeaders(fail ? 500 : 204, -1);
          exchange.close();
        });
    // One thread per request, so a hanging answer does not hold up the others.
    receiver.setExecutor(Executors.newCachedThreadPool());
    receiver.start();

    // A destination that accepts requests and never answers while the test runs.
    hangingReceiver =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    hangingReceiver.createContext(
        "/",
        exchange -> {
          exchange.getRequestBody().readAllBytes();
          try {
            RELEASE.await(60, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          exchange.sendResponseHeaders(204, -1);
          exchange.close();
        });
    hangingReceiver.setExecutor(Executors.newCachedThreadPool());
    hangingReceiver.start();
  }

  @AfterAll
  static void stopReceivers() {
    RELEASE.countDown();
    if (receiver != null) {
      receiver.stop(0);
    }
    if (hangingReceiver != null) {
      hangingReceiver.stop(0);
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
    return definition(
        url,
        Map.of("audience", audience, "on", on),
        List.of("advertising"),
        Map.of("email", "profile.traits.email"));
  }

  private static Map<String, Object> definition(
      String url, Map<String, Object> trigger, List<String> purposes, Map<String, String> mapping) {
    return Map.of(
        "name",
        "crm-" + UUID.randomUUID(),
        "type",
        "webhook",
        "config",
        Map.of("url", url),
        "trigger",
        trigger,
        "purposes",
        purposes,
        "mapping",
        mapping);
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
            .body("secret.length()", greaterThanOrEqualTo(43))
            .extract();
    return new String[] {created.path("id"), created.path("secret")};
  }

  private static String[] create(String url, String audience, String on) {
    return create(definition(url, audience, on));
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

  /** Publishes a resolved track event and returns its message id. */
  private static String publishEvent(String profileId, String name, double total) {
    String messageId = "m-" + UUID.randomUUID();
    Instant now = Instant.now();
    String payload =
        "{\"type\":\"track\",\"event\":\""
            + name
            + "\",\"messageId\":\""
            + messageId
            + "\",\"properties\":{\"orderId\":\"o-"
            + messageId
            + "\",\"total\":"
            + total
            + "}}";
    KafkaProbe.ofTestStack()
        .send(
            Topics.EVENTS_RESOLVED,
            profileId,
            ResolvedEvent.newBuilder()
                .setProfileId(profileId)
                .setEvent(
                    RawEvent.newBuilder()
                        .setMessageId(messageId)
                        .setType("track")
                        .setEvent(name)
                        .setUserId("u-1")
                        .setTimestamp(
                            Timestamp.newBuilder()
                                .setSeconds(now.getEpochSecond())
                                .setNanos(now.getNano()))
                        .setPayloadJson(ByteString.copyFromUtf8(payload)))
                .build());
    return messageId;
  }

  private static List<Received> receivedFor(String connectorId) {
    return RECEIVED.stream()
        .filter(r -> connectorId.equals(r.json().path("connectorId").asText()))
        .toList();
  }

  private static List<String> statuses(String connectorId) {
    return given()
        .header("Authorization", ADMIN)
        .get("/v1/connectors/" + connectorId + "/deliveries")
        .then()
        .statusCode(200)
        .extract()
        .path("status");
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

  private static Value text(String s) {
    return Value.newBuilder().setStringValue(s).build();
  }

  /** Puts a profile in the profile service double. */
  private static void knownProfile(String profileId, String email) {
    ProfilesDouble.PROFILES.put(
        profileId,
        Profile.newBuilder()
            .setProfileId(profileId)
            .addIdentifiers("email:" + email)
            .addIdentifiers("user_id:42")
            .setTraits(
                Struct.newBuilder()
                    .putFields("email", text(email))
                    .putFields("name", text("Ann"))
                    .putFields("phone", text("+4915100000000")))
            .setAttributes(
                Struct.newBuilder()
                    .putFields("lifetime_orders", Value.newBuilder().setNumberValue(3).build()))
            .addBadges("vip")
            .build());
  }

  @Test
  void aJoinedTransitionArrivesOnceSignedWithOnlyTheMappedFields() throws Exception {
    String audience = "aud-" + UUID.randomUUID();
    String profile = "p-" + UUID.randomUUID();
    knownProfile(profile, "ann@example.com");
    String[] connector =
        create(
            definition(
                receiverUrl("/ok"),
                Map.of("audience", audience, "on", "joined"),
                List.of("advertising"),
                Map.of(
                    "email", "profile.traits.email",
                    "orders", "profile.attributes.lifetime_orders",
                    "vip", "'vip' in profile.badges",
                    "userId", "profile.identifiers.user_id[0]",
                    "segment", "audience.name",
                    "unknown", "profile.attributes.never_set")));
    String id = connector[0];
    String secret = connector[1];

    given()
        .header("Authorization", ADMIN)
        .get("/v1/connectors/" + id)
        .then()
        .statusCode(200)
        .body("trigger.on", equalTo("joined"))
        .body("mapping.vip", equalTo("'vip' in profile.badges"))
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
    assertEquals(audience, body.at("/audience/id").asText());
    assertEquals("joined", body.at("/trigger/on").asText());
    assertEquals(got.deliveryId(), body.get("deliveryId").asText());
    // Only what the mapping produced: no name, no phone, nothing for the unset attribute.
    assertEquals(
        JSON.readTree(
            "{\"email\":\"ann@example.com\",\"orders\":3.0,\"vip\":true,\"userId\":\"42\","
                + "\"segment\":\"Audience "
                + audience
                + "\"}"),
        body.get("data"));

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
        () -> statuses(id).equals(List.of("delivered", "delivered")));
    given()
        .header("Authorization", ADMIN)
        .get("/v1/connectors/" + id + "/deliveries")
        .then()
        .body("attempts", equalTo(List.of(1, 1)))
        .body("profileId", equalTo(List.of(profile, profile)))
        .body("deliveryId", hasItem(got.deliveryId()));
    given()
        .get("/q/metrics")
        .then()
        .statusCode(200)
        .body(
            containsString(
                "cdp_connector_deliveries_total{connector=\""
                    + id
                    + "\",outcome=\"delivered\"} 2.0"))
        .body(containsString("cdp_connector_delivery_latency_seconds_count{connector=\"" + id));
  }

  @Test
  void aProfileTheProfileServiceDoesNotKnowMapsOnlyWhatNeedsNoProfile() throws Exception {
    String audience = "aud-" + UUID.randomUUID();
    String id =
        create(
            definition(
                receiverUrl("/ok"),
                Map.of("audience", audience, "on", "left"),
                List.of(),
                Map.of("email", "profile.traits.email", "who", "profile.id")))[0];
    String profile = "p-" + UUID.randomUUID();
    publish("t-" + UUID.randomUUID(), profile, audience, TransitionKind.LEFT);
    await("the webhook", () -> !receivedFor(id).isEmpty());
    assertEquals(
        JSON.readTree("{\"who\":\"" + profile + "\"}"), receivedFor(id).get(0).json().get("data"));
  }

  @Test
  void aMappingThatDoesNotCompileIsRefusedAndNothingIsSaved() {
    Map<String, Object> bad =
        definition(
            receiverUrl("/ok"),
            Map.of("audience", "a", "on", "joined"),
            List.of(),
            Map.of("email", "profile.traits.email", "total", "profile.attributes.orders +"));
    given()
        .header("Authorization", ADMIN)
        .contentType(ContentType.JSON)
        .body(bad)
        .post("/v1/connectors")
        .then()
        .statusCode(422)
        .body("error.code", equalTo("invalid_mapping"))
        .body("error.field", equalTo("mapping.total"))
        .body("error.message", containsString("<input>:1:"));
    given()
        .header("Authorization", ADMIN)
        .get("/v1/connectors")
        .then()
        .body("name", not(hasItem(bad.get("name"))));

    // A replacement with a bad mapping leaves the stored connector as it was.
    String id = create(receiverUrl("/ok"), "aud-" + UUID.randomUUID(), "joined")[0];
    given()
        .header("Authorization", ADMIN)
        .contentType(ContentType.JSON)
        .body(bad)
        .put("/v1/connectors/" + id)
        .then()
        .statusCode(422)
        .body("error.field", equalTo("mapping.total"));
    given()
        .header("Authorization", ADMIN)
        .get("/v1/connectors/" + id)
        .then()
        .body("mapping", equalTo(Map.of("email", "profile.traits.email")));
  }

  @Test
  void aDeniedPurposeSendsNothingAndAWithdrawalCountsFromTheNextDelivery() throws Exception {
    String audience = "aud-" + UUID.randomUUID();
    String profile = "p-" + UUID.randomUUID();
    knownProfile(profile, "bob@example.com");
    String id = create(receiverUrl("/ok"), audience, "joined")[0];

    publish("t-" + UUID.randomUUID(), profile, audience, TransitionKind.JOINED);
    await("the granted delivery", () -> statuses(id).equals(List.of("delivered")));
    assertEquals(1, receivedFor(id).size());

    ConsentDouble.DECISIONS.put(profile, Map.of("advertising", false));
    publish("t-" + UUID.randomUUID(), profile, audience, TransitionKind.JOINED);
    await("the suppressed delivery", () -> statuses(id).contains("suppressed"));
    given()
        .header("Authorization", ADMIN)
        .get("/v1/connectors/" + id + "/deliveries")
        .then()
        .body("find { it.status == 'suppressed' }.lastError", containsString("advertising"))
        .body("find { it.status == 'suppressed' }.attempts", equalTo(0));
    assertEquals(1, receivedFor(id).size());
  }

  @Test
  void theDeliveriesOfOneTransitionShareOneConsentCheck() throws Exception {
    String audience = "aud-" + UUID.randomUUID();
    String profile = "p-" + UUID.randomUUID();
    // Answered late, so the three deliveries all ask while the first check is under way.
    ConsentDouble.SLOW.add(profile);
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      ids.add(create(receiverUrl("/ok"), audience, "joined")[0]);
    }

    publish("t-" + UUID.randomUUID(), profile, audience, TransitionKind.JOINED);
    for (String id : ids) {
      await("the delivery of " + id, () -> statuses(id).equals(List.of("delivered")));
    }
    assertEquals(1, ConsentDouble.CHECKS.get(profile).get());
  }

  @Test
  void whileTheConsentServiceIsDownTheLocalViewOfConsentChangesDecides() throws Exception {
    String audience = "aud-" + UUID.randomUUID();
    String denied = "p-" + UUID.randomUUID();
    String granted = "p-" + UUID.randomUUID();
    ConsentDouble.UNAVAILABLE.addAll(List.of(denied, granted));
    String id = create(receiverUrl("/ok"), audience, "joined")[0];
    for (String[] choice : new String[][] {{denied, "false"}, {granted, "true"}}) {
      KafkaProbe.ofTestStack()
          .send(
              Topics.CONSENT_CHANGES,
              choice[0],
              ConsentChange.newBuilder()
                  .setSubject(choice[0])
                  .putPurposes("advertising", Boolean.parseBoolean(choice[1]))
                  .setSource("api")
                  .setVersion(1)
                  .build());
      await("the local view of " + choice[0], () -> consentView.knows(choice[0], 1));
    }

    publish("t-" + UUID.randomUUID(), denied, audience, TransitionKind.JOINED);
    publish("t-" + UUID.randomUUID(), granted, audience, TransitionKind.JOINED);
    await("both settled", () -> statuses(id).containsAll(List.of("suppressed", "delivered")));
    assertEquals(1, receivedFor(id).size());
    assertEquals(granted, receivedFor(id).get(0).json().get("profileId").asText());
  }

  @Test
  void aDeliveryCausedByAnEventIsCheckedAfterThatEventAndNeverDecidedByTheLocalView()
      throws Exception {
    String profile = "p-" + UUID.randomUUID();
    String id =
        create(
            definition(
                receiverUrl("/ok"),
                Map.of("event", "event.event == 'Checkout'"),
                List.of("advertising"),
                Map.of()))[0];
    // The local view allows it, but it learns consent carried by events only once the consent
    // service applied it: for this delivery only the consent service may decide.
    ConsentDouble.UNAVAILABLE.add(profile);
    KafkaProbe.ofTestStack()
        .send(
            Topics.CONSENT_CHANGES,
            profile,
            ConsentChange.newBuilder()
                .setSubject(profile)
                .putPurposes("advertising", true)
                .setSource("api")
                .setVersion(1)
                .build());
    await("the local view of " + profile, () -> consentView.knows(profile, 1));

    publishEvent(profile, "Checkout", 10);
    await("the delivery dead after its retries", () -> statuses(id).equals(List.of("dead")));
    assertEquals(0, receivedFor(id).size());
    ConsumerRecord<String, ResolvedEvent> event =
        KafkaProbe.ofTestStack()
            .awaitRecord(
                Topics.EVENTS_RESOLVED,
                new Deserializers.ResolvedEventDeserializer(),
                record -> profile.equals(record.key()),
                Duration.ofSeconds(30));
    CheckRequest asked = ConsentDouble.ASKED.get(profile);
    assertEquals(event.partition(), asked.getAfterEvent().getPartition());
    assertEquals(event.offset(), asked.getAfterEvent().getOffset());
  }

  @Test
  void aReceiverAnswering500IsDeadLetteredAfterItsRetriesAndReplayDeliversTheSameBody()
      throws Exception {
    String audience = "aud-" + UUID.randomUUID();
    String path = "/flaky/" + UUID.randomUUID();
    FAILING.add(path);
    String id = create(receiverUrl(path), audience, "left")[0];
    publish("t-" + UUID.randomUUID(), "p-" + UUID.randomUUID(), audience, TransitionKind.LEFT);

    await("the delivery to die", () -> statuses(id).equals(List.of("dead")));
    given()
        .header("Authorization", ADMIN)
        .get("/v1/connectors/" + id + "/deliveries")
        .then()
        .body("[0].attempts", equalTo(3))
        .body("[0].lastError", containsString("500"));
    List<Received> attempts = receivedFor(id);
    assertEquals(3, attempts.size());
    String deliveryId = attempts.get(0).deliveryId();
    assertTrue(attempts.stream().allMatch(r -> r.deliveryId().equals(deliveryId)));
    assertTrue(
        attempts.stream().allMatch(r -> java.util.Arrays.equals(r.body(), attempts.get(0).body())));

    DeadDelivery dead =
        KafkaProbe.ofTestStack()
            .await(
                Topics.DELIVERIES_DEAD,
                new Deserializers.DeadDeliveryDeserializer(),
                d -> d.getDeliveryId().equals(deliveryId),
                Duration.ofSeconds(30))
            .value();
    assertEquals(id, dead.getConnectorId());
    assertEquals(3, dead.getAttempts());
    assertArrayEquals(attempts.get(0).body(), dead.getBody().toByteArray());

    FAILING.remove(path);
    given()
        .header("Authorization", ADMIN)
        .post("/v1/connectors/" + id + "/replay")
        .then()
        .statusCode(202)
        .body("replayed", equalTo(1));
    await("the replayed delivery", () -> statuses(id).equals(List.of("delivered")));
    List<Received> all = receivedFor(id);
    assertEquals(4, all.size());
    assertEquals(deliveryId, all.get(3).deliveryId());
    assertArrayEquals(attempts.get(0).body(), all.get(3).body());
    given()
        .header("Authorization", ADMIN)
        .get("/v1/connectors/" + id + "/deliveries")
        .then()
        .body("[0].attempts", equalTo(4));
    given()
        .get("/q/metrics")
        .then()
        .body(
            containsString(
                "cdp_connector_deliveries_total{connector=\"" + id + "\",outcome=\"dead\"} 1.0"))
        .body(
            containsString(
                "cdp_connector_deliveries_total{connector=\""
                    + id
                    + "\",outcome=\"retried\"} 2.0"));
    // Nothing dead is left to replay.
    given()
        .header("Authorization", ADMIN)
        .post("/v1/connectors/" + id + "/replay")
        .then()
        .statusCode(202)
        .body("replayed", equalTo(0));
  }

  @Test
  void aReceiverThatDoesNotAnswerInTimeIsRetriedThenDead() throws Exception {
    String audience = "aud-" + UUID.randomUUID();
    String id = create(receiverUrl("/hang"), audience, "joined")[0];
    publish("t-" + UUID.randomUUID(), "p-" + UUID.randomUUID(), audience, TransitionKind.JOINED);

    await("the delivery to time out", () -> statuses(id).equals(List.of("dead")));
    given()
        .header("Authorization", ADMIN)
        .get("/v1/connectors/" + id + "/deliveries")
        .then()
        .body("[0].attempts", equalTo(3))
        .body("[0].lastError", containsString("timeout"));
    assertEquals(3, receivedFor(id).size());
  }

  @Test
  void oneHangingDestinationDoesNotHoldUpAnother() throws Exception {
    String audience = "aud-" + UUID.randomUUID();
    String hanging =
        create(
            "http://127.0.0.1:" + hangingReceiver.getAddress().getPort() + "/never",
            audience,
            "joined")[0];
    String healthy = create(receiverUrl("/ok"), audience, "joined")[0];
    // Many more transitions than the hanging connector's in-flight budget, all queued before the
    // healthy connector's own delivery of the last one.
    for (int i = 0; i < 20; i++) {
      publish("t-" + UUID.randomUUID(), "p-" + UUID.randomUUID(), audience, TransitionKind.JOINED);
    }
    await("the healthy connector's deliveries", () -> receivedFor(healthy).size() == 20);
    // The hanging destination still holds its deliveries: the healthy ones did not wait for them.
    assertEquals(1, RELEASE.getCount());
    assertTrue(statuses(hanging).contains("pending"), () -> "statuses: " + statuses(hanging));
  }

  @Test
  void anEventTriggerFiresOnMatchingEventsWithEventAndProfileFieldsMapped() throws Exception {
    String profile = "p-" + UUID.randomUUID();
    knownProfile(profile, "cy@example.com");
    String condition =
        "event.event == 'Order Completed' && event.properties.total > 100.0"
            + " && event.userId == 'u-1'";
    String id =
        create(
            definition(
                receiverUrl("/ok"),
                Map.of("event", condition),
                List.of("advertising"),
                Map.of(
                    "orderId", "event.properties.orderId",
                    "email", "profile.traits.email")))[0];
    given()
        .header("Authorization", ADMIN)
        .get("/v1/connectors/" + id)
        .then()
        .body("trigger.event", equalTo(condition))
        .body("trigger", not(hasKey("audience")));

    publishEvent(profile, "Order Completed", 20);
    publishEvent(profile, "Product Viewed", 500);
    // Same profile, same partition: when this one arrives, the two above were handled.
    String big = publishEvent(profile, "Order Completed", 250);
    await("the matching event's delivery", () -> !receivedFor(id).isEmpty());
    Thread.sleep(300);
    assertEquals(1, receivedFor(id).size());
    JsonNode body = receivedFor(id).get(0).json();
    assertEquals(condition, body.at("/trigger/event").asText());
    assertFalse(body.has("audience"));
    assertEquals(profile, body.get("profileId").asText());
    assertEquals(
        JSON.readTree("{\"orderId\":\"o-" + big + "\",\"email\":\"cy@example.com\"}"),
        body.get("data"));

    // Conditions are checked at save: a bare value is not a condition, and a trigger is one kind.
    given()
        .header("Authorization", ADMIN)
        .contentType(ContentType.JSON)
        .body(definition(receiverUrl("/ok"), Map.of("event", "event.event"), List.of(), Map.of()))
        .post("/v1/connectors")
        .then()
        .statusCode(422)
        .body("error.code", equalTo("invalid_trigger"))
        .body("error.field", equalTo("trigger.event"));
    given()
        .header("Authorization", ADMIN)
        .contentType(ContentType.JSON)
        .body(
            definition(
                receiverUrl("/ok"),
                Map.of("event", "true", "audience", "a", "on", "joined"),
                List.of(),
                Map.of()))
        .post("/v1/connectors")
        .then()
        .statusCode(422)
        .body("error.field", equalTo("trigger"));
  }

  @Test
  void aKafkaConnectorWritesTheMappedJsonToItsTopic() throws Exception {
    String topic = "test.out." + UUID.randomUUID();
    try (Admin admin =
        Admin.create(
            Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                LocalStackResource.kafkaBootstrapServers()))) {
      admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
    }
    String audience = "aud-" + UUID.randomUUID();
    String profile = "p-" + UUID.randomUUID();
    knownProfile(profile, "dee@example.com");
    Map<String, Object> definition =
        new HashMap<>(
            definition(
                "unused",
                Map.of("audience", audience, "on", "joined"),
                List.of("advertising"),
                Map.of("email", "profile.traits.email")));
    definition.put("type", "kafka");
    definition.put("config", Map.of("topic", topic));
    String[] connector = create(definition);

    publish("t-" + UUID.randomUUID(), profile, audience, TransitionKind.JOINED);
    ConsumerRecord<String, byte[]> record =
        KafkaProbe.ofTestStack()
            .await(topic, new ByteArrayDeserializer(), v -> true, Duration.ofSeconds(30));
    assertEquals(profile, record.key());
    JsonNode body = JSON.readTree(record.value());
    assertEquals(connector[0], body.get("connectorId").asText());
    assertEquals(JSON.readTree("{\"email\":\"dee@example.com\"}"), body.get("data"));
    assertEquals(
        body.get("deliveryId").asText(),
        new String(record.headers().lastHeader("X-CDP-Delivery-Id").value(), UTF_8));
    assertEquals(
        "sha256=" + hmacHex(connector[1], record.value()),
        new String(record.headers().lastHeader("X-CDP-Signature").value(), UTF_8));
    await("the delivery logged", () -> statuses(connector[0]).equals(List.of("delivered")));

    definition.put("config", Map.of("topic", "no spaces allowed"));
    given()
        .header("Authorization", ADMIN)
        .contentType(ContentType.JSON)
        .body(definition)
        .post("/v1/connectors")
        .then()
        .statusCode(422)
        .body("error.code", equalTo("invalid_topic"))
        .body("error.field", equalTo("config.topic"));
  }

  @Test
  void anEmailConnectorSendsToTheMappedAddressOverSmtp() throws Exception {
    String audience = "aud-" + UUID.randomUUID();
    String profile = "p-" + UUID.randomUUID();
    String address = "eve-" + UUID.randomUUID() + "@example.com";
    knownProfile(profile, address);
    Map<String, Object> definition =
        new HashMap<>(
            definition(
                "unused",
                Map.of("audience", audience, "on", "joined"),
                List.of("advertising"),
                Map.of("email", "profile.traits.email", "name", "profile.traits.name")));
    definition.put("type", "email");
    definition.put(
        "config",
        Map.of("recipientField", "email", "subject", "Welcome", "from", "crm@example.com"));
    String id = create(definition)[0];

    publish("t-" + UUID.randomUUID(), profile, audience, TransitionKind.JOINED);
    await(
        "the email",
        () ->
            Arrays.stream(SmtpServerResource.smtp().getReceivedMessages())
                .anyMatch(m -> recipient(m).equals(address)));
    MimeMessage mail =
        Arrays.stream(SmtpServerResource.smtp().getReceivedMessages())
            .filter(m -> recipient(m).equals(address))
            .findFirst()
            .orElseThrow();
    assertEquals("Welcome", mail.getSubject());
    assertEquals("crm@example.com", mail.getFrom()[0].toString());
    JsonNode body = JSON.readTree(GreenMailUtil.getBody(mail).strip());
    assertEquals(id, body.get("connectorId").asText());
    assertEquals("Ann", body.at("/data/name").asText());
    assertEquals(body.get("deliveryId").asText(), mail.getHeader("X-CDP-Delivery-Id")[0]);
    await("the delivery logged", () -> statuses(id).equals(List.of("delivered")));

    // The address must come from the mapping.
    definition.put("config", Map.of("recipientField", "phone", "subject", "Welcome"));
    given()
        .header("Authorization", ADMIN)
        .contentType(ContentType.JSON)
        .body(definition)
        .post("/v1/connectors")
        .then()
        .statusCode(422)
        .body("error.field", equalTo("config.recipientField"));
  }

  private static String recipient(MimeMessage message) {
    try {
      return message.getAllRecipients()[0].toString();
    } catch (MessagingException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void aDeliveryLeftPendingByACrashIsSentByTheSweepUnderItsId() throws Exception {
    String audience = "aud-" + UUID.randomUUID();
    String profile = "p-" + UUID.randomUUID();
    knownProfile(profile, "fay@example.com");
    String id = create(receiverUrl("/ok"), audience, "joined")[0];
    // What a crash after one attempt leaves behind: the outbox row, pending, its Kafka record
    // long acknowledged, nobody working on it.
    String deliveryId = UUID.randomUUID().toString();
    String source =
        JSON.writeValueAsString(
            Map.of(
                "trigger",
                Map.of("audience", audience, "on", "joined"),
                "profileId",
                profile,
                "audience",
                Map.of("id", audience, "name", "A"),
                "occurredAt",
                "2026-01-01T00:00:00Z"));
    database
        .preparedQuery(
            "insert into connector.deliveries (delivery_id, connector_id, profile_id, status,"
                + " attempts, source_json, created_at, updated_at) values ($1, $2, $3,"
                + " 'pending', 1, $4, now() - interval '1 hour', now() - interval '1 hour')")
        .execute(Tuple.of(deliveryId, UUID.fromString(id), profile, source))
        .await()
        .atMost(Duration.ofSeconds(30));

    await("the swept delivery", () -> !receivedFor(id).isEmpty());
    Received got = receivedFor(id).get(0);
    assertEquals(deliveryId, got.deliveryId());
    assertEquals("fay@example.com", got.json().at("/data/email").asText());
    await("the delivery logged", () -> statuses(id).equals(List.of("delivered")));
    given()
        .header("Authorization", ADMIN)
        .get("/v1/connectors/" + id + "/deliveries")
        .then()
        .body("[0].attempts", equalTo(2));
  }

  @Test
  void anErasureDeletesTheDeliveriesAndCallsTheConnectorsThatTakeErasureCallsOnce()
      throws Exception {
    String audience = "aud-" + UUID.randomUUID();
    String profile = "p-" + UUID.randomUUID();
    knownProfile(profile, "erased@example.com");
    Map<String, Object> withErasure =
        new HashMap<>(definition(receiverUrl("/ok"), audience, "joined"));
    withErasure.put("erasure", true);
    String[] taking = create(withErasure);
    String[] plain = create(receiverUrl("/ok"), audience, "joined");
    given()
        .header("Authorization", ADMIN)
        .get("/v1/connectors/" + taking[0])
        .then()
        .body("erasure", equalTo(true));
    publish("t-" + UUID.randomUUID(), profile, audience, TransitionKind.JOINED);
    await(
        "both deliveries",
        () ->
            statuses(taking[0]).contains("delivered") && statuses(plain[0]).contains("delivered"));

    String requestId = UUID.randomUUID().toString();
    PrivacyRequest request =
        PrivacyRequest.newBuilder()
            .setRequestId(requestId)
            .setKind(PrivacyRequestKind.ERASURE)
            .setIdentifier("email:erased@example.com")
            .addIdentifiers("email:erased@example.com")
            .addIdentifiers("user_id:" + profile)
            .setProfileId(profile)
            .setRequestedAt(Timestamp.newBuilder().setSeconds(Instant.now().getEpochSecond()))
            .build();
    KafkaProbe kafka = KafkaProbe.ofTestStack();
    kafka.send(Topics.PRIVACY_REQUESTS, requestId, request);
    PrivacyAck ack =
        kafka
            .await(
                Topics.PRIVACY_ACKS,
                new Deserializers.PrivacyAckDeserializer(),
                a ->
                    a.getRequestId().equals(requestId)
                        && a.getService().equals("connector-service"),
                Duration.ofSeconds(30))
            .value();
    assertTrue(ack.getSuccess(), ack.getError());

    await("the erasure call", () -> receivedFor(taking[0]).size() == 2);
    Received call = receivedFor(taking[0]).get(1);
    assertEquals("sha256=" + hmacHex(taking[1], call.body()), call.signature());
    assertEquals("erasure", call.json().get("type").asText());
    assertEquals("erasure", call.json().at("/trigger/on").asText());
    assertEquals(profile, call.json().get("profileId").asText());
    assertEquals(
        List.of("email:erased@example.com", "user_id:" + profile),
        JSON.convertValue(call.json().at("/data/identifiers"), List.class));
    assertEquals(1, receivedFor(plain[0]).size());

    // Nothing about the person is left in the log but the erasure call, without its identifiers
    await("the call settled", () -> statuses(taking[0]).equals(List.of("delivered")));
    assertEquals(List.of(), statuses(plain[0]));
    var rows =
        database
            .preparedQuery(
                "select body, source_json from connector.deliveries where profile_id = $1")
            .execute(Tuple.of(profile))
            .await()
            .atMost(Duration.ofSeconds(10));
    assertEquals(1, rows.size());
    var row = rows.iterator().next();
    assertNull(row.getValue("body"));
    assertNull(row.getValue("source_json"));

    // A repeated request calls no one again
    kafka.send(Topics.PRIVACY_REQUESTS, requestId, request);
    publish("t-" + UUID.randomUUID(), "p-" + UUID.randomUUID(), audience, TransitionKind.JOINED);
    await(
        "a later delivery",
        () -> receivedFor(plain[0]).size() == 2 && receivedFor(taking[0]).size() == 3);
    assertEquals(
        1,
        receivedFor(taking[0]).stream()
            .filter(r -> r.json().path("type").asText().equals("erasure"))
            .count());
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
    kafka.put("type", "ftp");
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
    given()
        .header("Authorization", ADMIN)
        .post("/v1/connectors/" + UUID.randomUUID() + "/replay")
        .then()
        .statusCode(404);
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
