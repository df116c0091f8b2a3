package io.cdp.consent;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.cdp.contracts.ProtoTime;
import io.cdp.contracts.audience.v1.AudienceMembership;
import io.cdp.contracts.audience.v1.MembershipsResponse;
import io.cdp.contracts.connector.v1.DeliveryRecord;
import io.cdp.contracts.connector.v1.ProfileDeliveriesResponse;
import io.cdp.contracts.profile.v1.Profile;
import io.cdp.localstack.LocalStackResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The privacy access API against the real stack for this service's own part (consent state and
 * history in PostgreSQL) and real gRPC calls to test doubles of the other services on the test
 * app's port. The whole suite's answer is tested end to end in e2e's PrivacyAccessTest.
 */
@QuarkusTest
@WithTestResource(LocalStackResource.class)
class AccessTest {

  private static final String ADMIN = "Bearer test-admin-token";

  @Test
  void everythingHeldAboutAPersonIsGatheredFromEveryService() {
    String profileId = UUID.randomUUID().toString();
    String email = "email:" + profileId + "@example.com";
    String userId = "user_id:" + profileId;
    IdentityDouble.person(profileId, List.of(email, userId));
    ProfilesDouble.profile(
        Profile.newBuilder()
            .setProfileId(profileId)
            .addAllIdentifiers(List.of(email, userId))
            .setTraits(
                Struct.newBuilder()
                    .putFields("name", Value.newBuilder().setStringValue("Ann").build()))
            .setAttributes(
                Struct.newBuilder()
                    .putFields("lifetime_orders", Value.newBuilder().setNumberValue(2).build()))
            .build());
    MembershipsDouble.memberships(
        profileId,
        MembershipsResponse.newBuilder()
            .addMemberships(
                AudienceMembership.newBuilder()
                    .setAudienceId("a-1")
                    .setAudienceName("High value")
                    .setSince(ProtoTime.timestamp(Instant.parse("2026-01-02T03:04:05Z"))))
            .build());
    DeliveriesDouble.deliveries(
        profileId,
        ProfileDeliveriesResponse.newBuilder()
            .addDeliveries(
                DeliveryRecord.newBuilder()
                    .setDeliveryId("d-1")
                    .setConnectorId("c-1")
                    .setConnectorName("CRM")
                    .setStatus("delivered")
                    .setAttempts(1)
                    .setCreatedAt(ProtoTime.timestamp(Instant.now()))
                    .setUpdatedAt(ProtoTime.timestamp(Instant.now())))
            .build());
    putConsent(email, Map.of("advertising", true));
    putConsent(userId, Map.of("advertising", false, "email", true));

    access(userId)
        .statusCode(200)
        .body("identifier", equalTo(userId))
        .body("profileId", equalTo(profileId))
        .body("identifiers", equalTo(List.of(userId, email)))
        .body("profile.traits.name", equalTo("Ann"))
        .body("profile.attributes.lifetime_orders", equalTo(2.0f))
        .body("memberships", hasSize(1))
        .body("memberships[0].name", equalTo("High value"))
        .body("memberships[0].since", equalTo("2026-01-02T03:04:05Z"))
        .body("deliveries[0].deliveryId", equalTo("d-1"))
        .body("deliveries[0].connectorName", equalTo("CRM"))
        .body("deliveries[0].lastError", nullValue())
        .body("consent.purposes.advertising", equalTo(false))
        .body("consent.purposes.email", equalTo(true))
        .body("consent.history", hasSize(3))
        .body("consent.history[0].subject", equalTo(email))
        .body("consent.history[0].purpose", equalTo("advertising"))
        .body("consent.history[0].granted", equalTo(true))
        .body("consent.history[0].source", equalTo("api"))
        .body("consent.history[1].subject", equalTo(userId))
        .body("gatheredAt", notNullValue());
  }

  @Test
  void anIdentifierOnlyTheConsentServiceKnowsIsAnsweredWithItsConsent() {
    String email = "email:only-consent-" + UUID.randomUUID() + "@example.com";
    putConsent(email, Map.of("analytics", false));
    access(email)
        .statusCode(200)
        .body("profileId", nullValue())
        .body("profile", nullValue())
        .body("memberships", hasSize(0))
        .body("deliveries", hasSize(0))
        .body("consent.history", hasSize(1));
  }

  @Test
  void anUnknownIdentifierIsA404AndABadOneA400() {
    access("email:nobody-" + UUID.randomUUID() + "@example.com")
        .statusCode(404)
        .body("error.code", equalTo("not_found"));
    access("no-colon").statusCode(400).body("error.code", equalTo("invalid_identifier"));
    given().get("/v1/privacy/profiles/{identifier}", "user_id:1").then().statusCode(401);
  }

  @Test
  void aServiceThatCannotAnswerMakesIta503NamingIt() {
    String profileId = UUID.randomUUID().toString();
    String userId = "user_id:" + profileId;
    IdentityDouble.person(profileId, List.of(userId));
    MembershipsDouble.unreadable(profileId);
    access(userId)
        .statusCode(503)
        .body("error.code", equalTo("service_unavailable"))
        .body("error.message", containsString("audience-service"));
  }

  private static ValidatableResponse access(String identifier) {
    return given()
        .header("Authorization", ADMIN)
        .get("/v1/privacy/profiles/{identifier}", identifier)
        .then();
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
}
