package io.cdp.consent;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.anEmptyMap;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.ByteString;
import io.cdp.contracts.Topics;
import io.cdp.contracts.collector.v1.RawEvent;
import io.cdp.contracts.consent.v1.CheckRequest;
import io.cdp.contracts.consent.v1.Consent;
import io.cdp.contracts.consent.v1.ConsentChange;
import io.cdp.contracts.identity.v1.ResolvedEvent;
import io.cdp.contracts.kafka.Deserializers;
import io.cdp.localstack.KafkaProbe;
import io.cdp.localstack.LocalStackResource;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** The consent service against the real stack: PostgreSQL, Infinispan, Kafka and its own gRPC. */
@QuarkusTest
@WithTestResource(LocalStackResource.class)
class ConsentTest {

  private static final String ADMIN = "Bearer test-admin-token";

  @GrpcClient("consent")
  Consent consent;

  @Test
  void putThenGetShowsTheChoiceTheEffectiveValuesAndWhen() {
    String id = UUID.randomUUID().toString();
    String updatedAt =
        put("email:Ann-" + id + "@Example.COM", Map.of("analytics", false, "advertising", true))
            .statusCode(200)
            .body("subject", equalTo("email:ann-" + id + "@example.com"))
            .body("updatedAt", notNullValue())
            .extract()
            .path("updatedAt");

    get("email:ann-" + id + "@example.com")
        .statusCode(200)
        .body("subject", equalTo("email:ann-" + id + "@example.com"))
        .body("purposes.analytics", equalTo(false))
        .body("purposes.advertising", equalTo(true))
        .body("purposes.personalization", equalTo(false))
        .body("purposes.email", equalTo(false))
        .body("purposes.sale_of_data", equalTo(false))
        .body("explicit", equalTo(Map.of("analytics", false, "advertising", true)))
        .body("updatedAt", equalTo(updatedAt));
  }

  @Test
  void anUnknownSubjectGetsTheConfiguredDefaults() {
    get("user_id:" + UUID.randomUUID())
        .statusCode(200)
        .body("purposes.analytics", equalTo(true))
        .body("purposes.personalization", equalTo(false))
        .body("purposes.advertising", equalTo(false))
        .body("purposes.email", equalTo(false))
        .body("purposes.sale_of_data", equalTo(false))
        .body("explicit", anEmptyMap())
        .body("$", hasKey("updatedAt"))
        .body("updatedAt", nullValue());
  }

  @Test
  void aBadPurposeOrValueIsA400AndChangesNothing() {
    String subject = "user_id:" + UUID.randomUUID();
    put(subject, Map.of("advertising", true)).statusCode(200);

    put(subject, Map.of("advertising", false, "ads", true))
        .statusCode(400)
        .body("error.code", equalTo("unknown_purpose"))
        .body("error.field", equalTo("purposes.ads"));
    put(subject, Map.of("advertising", "no"))
        .statusCode(400)
        .body("error.field", equalTo("purposes.advertising"));

    get(subject)
        .statusCode(200)
        .body("purposes.advertising", equalTo(true))
        .body("explicit", equalTo(Map.of("advertising", true)));
  }

  @Test
  void aBadIdentifierIsA400() {
    for (String bad : new String[] {"no-colon", "Bad Type:x", "email:"}) {
      put(bad, Map.of("analytics", true))
          .statusCode(400)
          .body("error.code", equalTo("invalid_identifier"));
    }
  }

  @Test
  void everyChangeIsPublishedKeyedBySubjectWithAVersionPerSubject() {
    String subject = "user_id:" + UUID.randomUUID();
    put(subject, Map.of("email", true)).statusCode(200);
    put(subject, Map.of("sale_of_data", false)).statusCode(200);

    ConsumerRecord<String, ConsentChange> record =
        KafkaProbe.ofTestStack()
            .await(
                Topics.CONSENT_CHANGES,
                new Deserializers.ConsentChangeDeserializer(),
                change -> change.getSubject().equals(subject) && change.getVersion() == 2,
                Duration.ofSeconds(30));
    assertEquals(subject, record.key());
    assertEquals(Map.of("email", true, "sale_of_data", false), record.value().getPurposesMap());
    assertEquals("api", record.value().getSource());
  }

  @Test
  void aWithdrawalCountsFromTheVeryNextCheck() {
    String id = UUID.randomUUID().toString();
    put("email:" + id + "@example.com", Map.of("advertising", true)).statusCode(200);
    assertEquals(true, check(identifier("email: " + id + "@EXAMPLE.com")));

    put("email:" + id + "@example.com", Map.of("advertising", false)).statusCode(200);
    assertEquals(false, check(identifier("email:" + id + "@example.com")));
  }

  @Test
  void aProfileIdIsCheckedAsTheSubjectProfileColonId() {
    String profileId = UUID.randomUUID().toString();
    assertEquals(false, check(CheckRequest.newBuilder().setProfileId(profileId)));
    put("profile:" + profileId, Map.of("advertising", true)).statusCode(200);
    assertEquals(true, check(CheckRequest.newBuilder().setProfileId(profileId)));
  }

  @Test
  void aCheckByProfileSeesConsentGivenUnderAnyOfThePersonsIdentifiersLatestFirst() {
    String profileId = UUID.randomUUID().toString();
    String email = "email:" + profileId + "@example.com";
    String userId = "user_id:" + profileId;
    IdentityDouble.person(profileId, List.of(email, userId));

    put(email, Map.of("advertising", true)).statusCode(200);
    assertEquals(true, check(CheckRequest.newBuilder().setProfileId(profileId)));
    assertEquals(true, check(identifier(userId)));

    put(userId, Map.of("advertising", false)).statusCode(200);
    assertEquals(false, check(CheckRequest.newBuilder().setProfileId(profileId)));
    assertEquals(false, check(identifier(email)));
  }

  @Test
  void consentCarriedInAnEventIsAppliedToItsProfileOnceAndEnforcedByTheNextCheck() {
    String profileId = UUID.randomUUID().toString();
    KafkaProbe kafka = KafkaProbe.ofTestStack();
    ResolvedEvent denying =
        eventWithPreferences(profileId, "{\"Advertising\":false,\"Analytics\":true}");
    kafka.send(Topics.EVENTS_RESOLVED, profileId, denying);
    kafka.send(Topics.EVENTS_RESOLVED, profileId, denying);
    kafka.send(
        Topics.EVENTS_RESOLVED,
        profileId,
        eventWithPreferences(profileId, "{\"Advertising\":true,\"Analytics\":true}"));

    ConsumerRecord<String, ConsentChange> granted =
        kafka.await(
            Topics.CONSENT_CHANGES,
            new Deserializers.ConsentChangeDeserializer(),
            change ->
                change.getSubject().equals("profile:" + profileId)
                    && change.getPurposesOrDefault("advertising", false),
            Duration.ofSeconds(30));
    // The repeated event changed nothing: the grant is the profile's second state, not its third
    assertEquals(2, granted.value().getVersion());
    assertEquals("event", granted.value().getSource());
    assertEquals(true, check(CheckRequest.newBuilder().setProfileId(profileId)));
    get("profile:" + profileId)
        .statusCode(200)
        .body("explicit", equalTo(Map.of("advertising", true, "analytics", true)));
  }

  @Test
  void aTcStringInAnUpdateIsDecodedAndMappedAndNamedPurposesWinOverIt() {
    String subject = "user_id:" + UUID.randomUUID();
    given()
        .header("Authorization", ADMIN)
        .contentType(ContentType.JSON)
        .body(Map.of("tcf", TcfConsentTest.ALL_PURPOSES, "purposes", Map.of("advertising", false)))
        .put("/v1/consent/{identifier}", subject)
        .then()
        .statusCode(200)
        .body(
            "explicit",
            equalTo(Map.of("advertising", false, "personalization", true, "analytics", true)));

    ConsumerRecord<String, ConsentChange> record =
        KafkaProbe.ofTestStack()
            .await(
                Topics.CONSENT_CHANGES,
                new Deserializers.ConsentChangeDeserializer(),
                change -> change.getSubject().equals(subject),
                Duration.ofSeconds(30));
    assertEquals("api+tcf", record.value().getSource());
    assertEquals(TcfConsentTest.ALL_PURPOSES, record.value().getTcf());
  }

  @Test
  void aMalformedTcStringIsA400ThatSaysWhyAndChangesNothing() {
    String subject = "user_id:" + UUID.randomUUID();
    put(subject, Map.of("analytics", false)).statusCode(200);
    given()
        .header("Authorization", ADMIN)
        .contentType(ContentType.JSON)
        .body(Map.of("tcf", "COtybn4PA_zT4", "purposes", Map.of("analytics", true)))
        .put("/v1/consent/{identifier}", subject)
        .then()
        .statusCode(400)
        .body("error.code", equalTo("invalid_tcf"))
        .body("error.field", equalTo("tcf"))
        .body("error.message", startsWith("Not a valid IAB TCF v2 consent string"));
    get(subject).statusCode(200).body("explicit", equalTo(Map.of("analytics", false)));
  }

  @Test
  void theSubjectsJurisdictionDecidesTheDefaultsOfUnchosenPurposes() {
    String german = "user_id:" + UUID.randomUUID();
    String american = "user_id:" + UUID.randomUUID();
    putPlace(german, "de")
        .statusCode(200)
        .body("jurisdiction", equalTo("DE"))
        .body("purposes.analytics", equalTo(false))
        .body("explicit", anEmptyMap());
    putPlace(american, "US")
        .statusCode(200)
        .body("purposes.analytics", equalTo(true))
        .body("purposes.advertising", equalTo(true))
        .body("purposes.email", equalTo(false));

    assertEquals(
        Map.of("analytics", false, "advertising", false),
        consent
            .check(identifier(german).addPurposes("analytics").addPurposes("advertising").build())
            .await()
            .atMost(Duration.ofSeconds(10))
            .getAllowedMap());
    assertEquals(true, check(identifier(american)));
    // A nobody has the purposes' own defaults (analytics opt-out, advertising opt-in)
    assertEquals(false, check(identifier("user_id:" + UUID.randomUUID())));

    putPlace(german, "not a place!").statusCode(400).body("error.field", equalTo("jurisdiction"));
  }

  @Test
  void googleConsentModeAndTheCountryInAnEventAreAppliedToItsProfile() {
    String profileId = UUID.randomUUID().toString();
    String payload =
        "{\"type\":\"page\",\"context\":{\"location\":{\"country\":\"US\"},"
            + "\"consent\":{\"googleConsentMode\":{\"ad_storage\":\"granted\","
            + "\"ad_user_data\":\"denied\",\"analytics_storage\":\"granted\"}}}}";
    KafkaProbe kafka = KafkaProbe.ofTestStack();
    kafka.send(Topics.EVENTS_RESOLVED, profileId, resolved(profileId, payload));

    ConsumerRecord<String, ConsentChange> applied =
        kafka.await(
            Topics.CONSENT_CHANGES,
            new Deserializers.ConsentChangeDeserializer(),
            change -> change.getSubject().equals("profile:" + profileId),
            Duration.ofSeconds(30));
    assertEquals("google_consent_mode", applied.value().getSource());
    assertEquals("US", applied.value().getJurisdiction());
    assertEquals(Map.of("advertising", false, "analytics", true), applied.value().getPurposesMap());
    // Personalization was not chosen: the US default (opt-out) allows it
    assertEquals(
        Map.of("advertising", false, "personalization", true),
        consent
            .check(
                CheckRequest.newBuilder()
                    .setProfileId(profileId)
                    .addPurposes("advertising")
                    .addPurposes("personalization")
                    .build())
            .await()
            .atMost(Duration.ofSeconds(10))
            .getAllowedMap());
  }

  private static ValidatableResponse putPlace(String identifier, String jurisdiction) {
    return given()
        .header("Authorization", ADMIN)
        .contentType(ContentType.JSON)
        .body(Map.of("jurisdiction", jurisdiction))
        .put("/v1/consent/{identifier}", identifier)
        .then();
  }

  private static ResolvedEvent eventWithPreferences(String profileId, String preferences) {
    return resolved(
        profileId,
        "{\"type\":\"track\",\"event\":\"Viewed\",\"context\":{\"consent\":"
            + "{\"categoryPreferences\":"
            + preferences
            + "}}}");
  }

  private static ResolvedEvent resolved(String profileId, String payload) {
    return ResolvedEvent.newBuilder()
        .setProfileId(profileId)
        .setEvent(
            RawEvent.newBuilder()
                .setMessageId(UUID.randomUUID().toString())
                .setType("track")
                .setPayloadJson(ByteString.copyFromUtf8(payload)))
        .build();
  }

  @Test
  void requestsWithoutTheAdminTokenAre401() {
    given()
        .contentType(ContentType.JSON)
        .body(Map.of("purposes", Map.of("analytics", true)))
        .put("/v1/consent/user_id:42")
        .then()
        .statusCode(401)
        .body("error.code", equalTo("unauthorized"));
    given().get("/v1/consent/user_id:42").then().statusCode(401);
  }

  private static ValidatableResponse put(String identifier, Map<String, ?> purposes) {
    return given()
        .header("Authorization", ADMIN)
        .contentType(ContentType.JSON)
        .body(Map.of("purposes", purposes))
        .put("/v1/consent/{identifier}", identifier)
        .then();
  }

  private static ValidatableResponse get(String identifier) {
    return given()
        .header("Authorization", ADMIN)
        .get("/v1/consent/{identifier}", identifier)
        .then();
  }

  private static CheckRequest.Builder identifier(String identifier) {
    return CheckRequest.newBuilder().setIdentifier(identifier);
  }

  /** Whether the subject allows advertising, by gRPC. */
  private boolean check(CheckRequest.Builder request) {
    return consent
        .check(request.addPurposes("advertising").build())
        .await()
        .atMost(Duration.ofSeconds(10))
        .getAllowedOrThrow("advertising");
  }
}
