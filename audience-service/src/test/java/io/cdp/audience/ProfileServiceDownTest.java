package io.cdp.audience;

import static io.cdp.audience.AudienceTestSupport.ADMIN;
import static io.cdp.audience.AudienceTestSupport.createAudience;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;

import io.cdp.localstack.LocalStackResource;
import io.cdp.localstack.Ports;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * While the profile service cannot be asked for attribute definitions, a rule naming attributes is
 * refused with 503 and {@code Retry-After}, never saved unchecked; other rules are saved as usual.
 */
@QuarkusTest
@TestProfile(ProfileServiceDownTest.NoProfileService.class)
@WithTestResource(LocalStackResource.class)
class ProfileServiceDownTest {

  /** The profile service's URL points at a port nothing listens on. */
  public static class NoProfileService implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("cdp.audience.profile-url", "http://127.0.0.1:" + Ports.free());
    }
  }

  @Test
  void aRuleNamingAttributesIsA503WithRetryAfterAndNothingIsSaved() {
    String name = "Unchecked " + UUID.randomUUID();
    given()
        .header("Authorization", ADMIN)
        .contentType(ContentType.JSON)
        .body(Map.of("name", name, "rule", "profile.attributes.lifetime_orders >= 2"))
        .post("/v1/audiences")
        .then()
        .statusCode(503)
        .header("Retry-After", equalTo("5"))
        .body("error.code", equalTo("profile_service_unavailable"))
        .body("error.field", equalTo("rule"))
        .body("error.message", containsString("nothing was saved"));
    given()
        .header("Authorization", ADMIN)
        .get("/v1/audiences")
        .then()
        .statusCode(200)
        .body("name", not(hasItem(name)));

    String rule = "profile.traits.plan == 'pro' && 'vip' in profile.badges";
    String id = createAudience(name, rule);
    given()
        .header("Authorization", ADMIN)
        .contentType(ContentType.JSON)
        .body(Map.of("name", name + " v2", "rule", "profile.attributes['plan'] == 'pro'"))
        .put("/v1/audiences/" + id)
        .then()
        .statusCode(503)
        .header("Retry-After", equalTo("5"));
    given()
        .header("Authorization", ADMIN)
        .get("/v1/audiences/" + id)
        .then()
        .statusCode(200)
        .body("name", equalTo(name))
        .body("rule", equalTo(rule));
    given()
        .header("Authorization", ADMIN)
        .get("/v1/audiences")
        .then()
        .statusCode(200)
        .body("name", not(hasItem(name + " v2")));
  }

  @Test
  void aRuleThatDoesNotCompileIsStillA422() {
    given()
        .header("Authorization", ADMIN)
        .contentType(ContentType.JSON)
        .body(Map.of("name", "Broken", "rule", "profile.attributes.lifetime_orders >= "))
        .post("/v1/audiences")
        .then()
        .statusCode(422)
        .body("error.code", equalTo("invalid_rule"));
  }
}
