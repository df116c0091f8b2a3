package io.cdp.consent;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.cdp.common.messaging.PrivacyAcks;
import io.cdp.contracts.Topics;
import io.cdp.contracts.consent.v1.PrivacyAck;
import io.cdp.contracts.consent.v1.PrivacyRequest;
import io.cdp.contracts.consent.v1.PrivacyRequestKind;
import io.cdp.contracts.kafka.Deserializers;
import io.cdp.localstack.KafkaProbe;
import io.cdp.localstack.LocalStackResource;
import io.quarkus.infinispan.client.Remote;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.infinispan.client.hotrod.RemoteCache;
import org.junit.jupiter.api.Test;

/**
 * Erasure through the consent service against the real stack: the request is stored and published,
 * this service erases its own part, and the request completes when every service has answered.
 */
@QuarkusTest
@WithTestResource(LocalStackResource.class)
class ErasureTest {

  private static final String ADMIN = "Bearer test-admin-token";
  private static final List<String> OTHER_SERVICES =
      List.of("identity-service", "profile-service", "audience-service", "connector-service");

  @Inject
  @Remote("consent")
  RemoteCache<String, byte[]> cache;

  @Test
  void anErasureReachesEveryServiceAndCompletesWhenAllHaveAnswered() {
    String profileId = UUID.randomUUID().toString();
    String email = "email:" + profileId + "@example.com";
    String userId = "user_id:" + profileId;
    IdentityDouble.person(profileId, List.of(email, userId));
    putConsent(email, Map.of("advertising", true));
    putConsent("profile:" + profileId, Map.of("email", true));

    String id =
        erase(email)
            .statusCode(202)
            .body("status", equalTo("pending"))
            .body("services.profile-service.status", equalTo("waiting"))
            .extract()
            .path("id");

    KafkaProbe kafka = KafkaProbe.ofTestStack();
    PrivacyRequest published =
        kafka
            .await(
                Topics.PRIVACY_REQUESTS,
                new Deserializers.PrivacyRequestDeserializer(),
                request -> request.getRequestId().equals(id),
                Duration.ofSeconds(30))
            .value();
    assertEquals(PrivacyRequestKind.ERASURE, published.getKind());
    assertEquals(email, published.getIdentifier());
    assertEquals(profileId, published.getProfileId());
    assertEquals(Set.of(email, userId), Set.copyOf(published.getIdentifiersList()));

    // The consent service's own part: history and state gone, tombstones published
    awaitStatus(id, "services.consent-service.status", "erased");
    // The cache holds no state for an erased subject: reads find none, without PostgreSQL
    assertNull(cache.get(email));
    getConsent(email).body("explicit", equalTo(Map.of())).body("updatedAt", nullValue());
    getConsent("profile:" + profileId).body("updatedAt", nullValue());
    kafka.awaitRecord(
        Topics.CONSENT_CHANGES,
        new Deserializers.ConsentChangeDeserializer(),
        record -> record.key().equals(email) && record.value() == null,
        Duration.ofSeconds(30));
    erasureOf(id).body("status", equalTo("pending"));

    for (String service : OTHER_SERVICES) {
      kafka.send(Topics.PRIVACY_ACKS, id, PrivacyAcks.done(published, service).getPayload());
    }
    awaitStatus(id, "status", "completed");
    erasureOf(id)
        .body("finishedAt", notNullValue())
        .body("services.identity-service.status", equalTo("erased"))
        .body("services.identity-service.acknowledgedAt", notNullValue())
        .body("services.connector-service.status", equalTo("erased"));
  }

  @Test
  void aFailedAnswerIsShownAndASuccessLaterStillCompletes() {
    String email = "email:" + UUID.randomUUID() + "@example.com";
    String id = erase(email).statusCode(202).extract().path("id");
    PrivacyRequest request =
        PrivacyRequest.newBuilder().setRequestId(id).setIdentifier(email).build();
    KafkaProbe kafka = KafkaProbe.ofTestStack();
    PrivacyAck failure =
        PrivacyAcks.failed(request, "profile-service", new IllegalStateException("store down"))
            .getPayload();
    kafka.send(Topics.PRIVACY_ACKS, id, failure);
    awaitStatus(id, "services.profile-service.status", "failed");
    erasureOf(id).body("services.profile-service.error", equalTo("store down"));

    for (String service : OTHER_SERVICES) {
      kafka.send(Topics.PRIVACY_ACKS, id, PrivacyAcks.done(request, service).getPayload());
    }
    awaitStatus(id, "status", "completed");
  }

  @Test
  void anUnknownPersonIsErasedToo() {
    String email = "email:nobody-" + UUID.randomUUID() + "@example.com";
    String id = erase(email).statusCode(202).extract().path("id");
    PrivacyRequest published =
        KafkaProbe.ofTestStack()
            .await(
                Topics.PRIVACY_REQUESTS,
                new Deserializers.PrivacyRequestDeserializer(),
                request -> request.getRequestId().equals(id),
                Duration.ofSeconds(30))
            .value();
    assertEquals("", published.getProfileId());
    assertEquals(List.of(email), published.getIdentifiersList());
  }

  @Test
  void badRequestsAreRefusedClearly() {
    given()
        .header("Authorization", ADMIN)
        .contentType(ContentType.JSON)
        .body(Map.of())
        .post("/v1/privacy/erasures")
        .then()
        .statusCode(400)
        .body("error.code", equalTo("missing_field"))
        .body("error.field", equalTo("identifier"));
    erase("not an identifier").statusCode(400).body("error.code", equalTo("invalid_identifier"));
    erase("profile:" + UUID.randomUUID())
        .statusCode(400)
        .body("error.code", equalTo("invalid_identifier"));
    erasureOf(UUID.randomUUID().toString()).statusCode(404);
    erasureOf("not-a-uuid").statusCode(404);
    given()
        .contentType(ContentType.JSON)
        .body(Map.of("identifier", "email:a@example.com"))
        .post("/v1/privacy/erasures")
        .then()
        .statusCode(401);
  }

  static ValidatableResponse erase(String identifier) {
    return given()
        .header("Authorization", ADMIN)
        .contentType(ContentType.JSON)
        .body(Map.of("identifier", identifier))
        .post("/v1/privacy/erasures")
        .then();
  }

  static ValidatableResponse erasureOf(String id) {
    return given().header("Authorization", ADMIN).get("/v1/privacy/erasures/{id}", id).then();
  }

  /** Polls the erasure until {@code path} reads {@code expected}. */
  static void awaitStatus(String id, String path, String expected) {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (true) {
      String actual = erasureOf(id).statusCode(200).extract().path(path);
      if (expected.equals(actual)) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            path + " of erasure " + id + " is " + actual + ", not " + expected);
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  private static void putConsent(String subject, Map<String, Boolean> purposes) {
    given()
        .header("Authorization", ADMIN)
        .contentType(ContentType.JSON)
        .body(Map.of("purposes", purposes))
        .put("/v1/consent/{identifier}", subject)
        .then()
        .statusCode(200);
  }

  private static ValidatableResponse getConsent(String subject) {
    return given()
        .header("Authorization", ADMIN)
        .get("/v1/consent/{identifier}", subject)
        .then()
        .statusCode(200);
  }
}
