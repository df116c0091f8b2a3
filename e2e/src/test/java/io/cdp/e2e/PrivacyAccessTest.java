package io.cdp.e2e;

import static io.cdp.e2e.Eventually.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cdp.localstack.SuiteService;
import io.restassured.path.json.JsonPath;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The privacy access API end to end ({@code GET /v1/privacy/profiles/{type}:{value}}, issue 7): a
 * person who exists in every service (identifiers, a profile, an audience membership, consent
 * history, a delivery) gets all of it back from the consent service, which gathers it from the
 * other services over gRPC.
 */
class PrivacyAccessTest {

  private static Suite suite;
  private static Cdp cdp;

  @BeforeAll
  static void startSuite() throws Exception {
    suite = Suite.start(PrivacyAccessTest.class);
    cdp = Cdp.withNewSource(suite, "e2e-privacy");
  }

  @AfterAll
  static void stopSuite() {
    if (suite != null) {
      suite.close();
    }
  }

  @Test
  void anAccessRequestReturnsWhatEveryServiceHoldsAboutThePerson() {
    String userId = "access-" + uid();
    String anonymousId = "access-device-" + uid();
    String email = "ada." + uid() + "@example.com";
    String audience =
        cdp.createAudience(
            "Access VIPs " + uid(), "has(profile.traits.vip) && profile.traits.vip == true");
    String path = "/access-" + uid();
    String connector =
        cdp.create(
                SuiteService.CONNECTOR,
                "/v1/connectors",
                Map.of(
                    "name", "Access CRM",
                    "type", "webhook",
                    "config", Map.of("url", suite.webhooks().url(path)),
                    "trigger", Map.of("audience", audience, "on", "joined"),
                    "purposes", List.of(),
                    "mapping", Map.of("email", "profile.traits.email")))
            .getString("id");

    cdp.identify(
        Map.of("userId", userId, "anonymousId", anonymousId), Map.of("email", email, "vip", true));
    cdp.put(
        SuiteService.CONSENT,
        "/v1/consent/email:" + email,
        Map.of("purposes", Map.of("email", true, "advertising", false)));
    String profileId =
        cdp.awaitProfile("user_id:" + userId, "the profile", p -> true).getString("profileId");
    await(
        "the delivery logged",
        () -> cdp.deliveries(connector),
        deliveries -> deliveries.stream().anyMatch(d -> "delivered".equals(d.get("status"))));

    JsonPath access =
        await(
                "every part of the access answer",
                () -> cdp.get(SuiteService.CONSENT, "/v1/privacy/profiles/user_id:" + userId),
                r ->
                    r.statusCode() == 200
                        && !r.jsonPath().getList("memberships").isEmpty()
                        && !r.jsonPath().getList("deliveries").isEmpty())
            .jsonPath();

    assertEquals(profileId, access.getString("profileId"));
    assertTrue(
        access
            .getList("identifiers")
            .containsAll(
                List.of("user_id:" + userId, "anonymous_id:" + anonymousId, "email:" + email)),
        "identifiers: " + access.getList("identifiers"));
    assertEquals(email, access.getString("profile.traits.email"));
    assertEquals(profileId, access.getString("profile.profileId"));
    assertEquals(List.of(audience), access.getList("memberships.audienceId"));
    assertEquals(connector, access.getString("deliveries[0].connectorId"));
    assertEquals("Access CRM", access.getString("deliveries[0].connectorName"));
    assertEquals("delivered", access.getString("deliveries[0].status"));
    assertEquals(true, access.getBoolean("consent.purposes.email"));
    assertEquals(false, access.getBoolean("consent.purposes.advertising"));
    List<Map<String, Object>> history = access.getList("consent.history");
    Map<String, Object> emailChoice =
        history.stream()
            .filter(h -> "email".equals(h.get("purpose")))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no email choice in " + history));
    assertEquals("email:" + email, emailChoice.get("subject"));
    assertEquals(true, emailChoice.get("granted"));
    assertEquals("api", emailChoice.get("source"));
  }

  @Test
  void anIdentifierNoServiceKnowsIsA404() {
    assertEquals(
        404,
        cdp.get(SuiteService.CONSENT, "/v1/privacy/profiles/email:nobody-" + uid() + "@example.com")
            .statusCode());
  }

  private static String uid() {
    return UUID.randomUUID().toString().substring(0, 8);
  }
}
