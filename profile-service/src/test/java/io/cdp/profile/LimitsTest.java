package io.cdp.profile;

import static io.cdp.profile.ProfileTestSupport.ADMIN;
import static io.cdp.profile.ProfileTestSupport.awaitProfile;
import static io.cdp.profile.ProfileTestSupport.event;
import static io.cdp.profile.ProfileTestSupport.eventCount;
import static io.cdp.profile.ProfileTestSupport.id;
import static io.cdp.profile.ProfileTestSupport.send;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cdp.localstack.LocalStackResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The bounds on attribute definitions and on a profile's size, lowered so a test reaches them:
 * {@value #MAX_ATTRIBUTES} definitions (the other test classes define far fewer) and 2 KB.
 */
@QuarkusTest
@TestProfile(LimitsTest.LowLimits.class)
@WithTestResource(LocalStackResource.class)
class LimitsTest {

  static final int MAX_ATTRIBUTES = 60;
  private static final Pattern CLIPPED =
      Pattern.compile("^cdp_profile_clipped_total(\\{[^}]*\\})? ([0-9.E+]+)$", Pattern.MULTILINE);

  /** Low bounds for this class only. */
  public static class LowLimits implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "cdp.profile.max-attributes",
          String.valueOf(MAX_ATTRIBUTES),
          "cdp.profile.max-size",
          "2K");
    }
  }

  @Test
  void definitionsBeyondTheBoundAreRefusedWith422() {
    int defined = given().header("Authorization", ADMIN).get("/v1/attributes").path("size()");
    assertTrue(defined < MAX_ATTRIBUTES, "already " + defined + " definitions");
    for (int i = defined; i < MAX_ATTRIBUTES; i++) {
      define().statusCode(201);
    }

    define()
        .statusCode(422)
        .body("error.code", equalTo("too_many_attributes"))
        .body("error.message", containsString("At most " + MAX_ATTRIBUTES));

    int after = given().header("Authorization", ADMIN).get("/v1/attributes").path("size()");
    assertEquals(MAX_ATTRIBUTES, after);
  }

  @Test
  void anEventThatWouldTakeAProfileOverItsSizeIsClippedAndCounted() {
    String profileId = "p-" + UUID.randomUUID();
    String userId = "u-" + UUID.randomUUID();
    Instant now = Instant.now();
    double clippedBefore = clippedTotal();
    send(
        profileId,
        event("identify", now, "{\"traits\":{\"name\":\"Ann\"}}"),
        id("user_id", userId));
    awaitProfile("user_id:" + userId, eventCount(1));

    String big = "x".repeat(3000);
    send(
        profileId,
        event("identify", now.plusSeconds(1), "{\"traits\":{\"bio\":\"" + big + "\"}}"),
        id("user_id", userId));
    send(
        profileId,
        event("identify", now.plusSeconds(2), "{\"traits\":{\"plan\":\"pro\"}}"),
        id("user_id", userId));

    awaitProfile("user_id:" + userId, eventCount(3))
        .then()
        .body("traits.containsKey('bio')", equalTo(false))
        .body("traits.name", equalTo("Ann"))
        .body("traits.plan", equalTo("pro"));
    assertEquals(clippedBefore + 1, clippedTotal());
  }

  private static io.restassured.response.ValidatableResponse define() {
    return given()
        .header("Authorization", ADMIN)
        .contentType(ContentType.JSON)
        .body(
            """
            {"name": "bounded_%s", "type": "number",
             "enrichments": [{"when": "false", "op": "increment"}]}
            """
                .formatted(UUID.randomUUID().toString().replace("-", "")))
        .post("/v1/attributes")
        .then();
  }

  private static double clippedTotal() {
    Matcher matcher = CLIPPED.matcher(given().get("/q/metrics").asString());
    return matcher.find() ? Double.parseDouble(matcher.group(2)) : 0;
  }
}
