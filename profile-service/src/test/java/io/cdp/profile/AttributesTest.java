package io.cdp.profile;

import static io.cdp.profile.ProfileTestSupport.ADMIN;
import static io.cdp.profile.ProfileTestSupport.awaitChange;
import static io.cdp.profile.ProfileTestSupport.awaitProfile;
import static io.cdp.profile.ProfileTestSupport.event;
import static io.cdp.profile.ProfileTestSupport.eventCount;
import static io.cdp.profile.ProfileTestSupport.id;
import static io.cdp.profile.ProfileTestSupport.send;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cdp.contracts.profile.v1.ProfileChange;
import io.cdp.localstack.LocalStackResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Attribute definitions through the API, and events enriching profiles by them, on the real stack.
 */
@QuarkusTest
@WithTestResource(LocalStackResource.class)
class AttributesTest {

  /** Definitions apply to every profile: names are unique per run so tests never meet. */
  private static String unique(String name) {
    return name + "_" + UUID.randomUUID().toString().substring(0, 8);
  }

  private static ValidatableResponse post(String json) {
    return given()
        .header("Authorization", ADMIN)
        .contentType(ContentType.JSON)
        .body(json)
        .post("/v1/attributes")
        .then();
  }

  @Test
  void definitionsAreCreatedReadReplacedAndDeleted() {
    String name = unique("orders");
    post("""
            {"name": "%s", "type": "number",
             "enrichments": [{"when": "event.event == 'Order Completed'", "op": "increment", "value": "1"}]}
            """
            .formatted(name))
        .statusCode(201)
        .body("name", equalTo(name))
        .body("scope", equalTo("visitor"))
        .body("enrichments[0].timing", equalTo("any event"))
        .body("enrichments[0].op", equalTo("increment"))
        .body("createdAt", notNullValue());
    post("{\"name\": \"%s\", \"type\": \"number\"}".formatted(name))
        .statusCode(409)
        .body("error.code", equalTo("conflict"));
    given()
        .header("Authorization", ADMIN)
        .get("/v1/attributes")
        .then()
        .statusCode(200)
        .body("name", hasItem(name));

    given()
        .header("Authorization", ADMIN)
        .contentType(ContentType.JSON)
        .body(
            """
            {"type": "number", "scope": "visit",
             "enrichments": [{"timing": "new visit", "op": "increment"}]}
            """)
        .put("/v1/attributes/" + name)
        .then()
        .statusCode(200)
        .body("scope", equalTo("visit"))
        .body("enrichments[0].timing", equalTo("new visit"));
    given()
        .header("Authorization", ADMIN)
        .get("/v1/attributes/" + name)
        .then()
        .statusCode(200)
        .body("scope", equalTo("visit"));

    given().header("Authorization", ADMIN).delete("/v1/attributes/" + name).then().statusCode(204);
    given()
        .header("Authorization", ADMIN)
        .get("/v1/attributes/" + name)
        .then()
        .statusCode(404)
        .body("error.code", equalTo("not_found"));
  }

  @Test
  void aRuleThatDoesNotCompileIs422WithTheCompilerMessageAndNothingIsSaved() {
    String name = unique("broken");
    post("""
            {"name": "%s", "type": "number",
             "enrichments": [{"op": "increment"}, {"when": "event.event == ", "op": "increment"}]}
            """
            .formatted(name))
        .statusCode(422)
        .body("error.code", equalTo("invalid_rule"))
        .body("error.field", equalTo("enrichments[1].when"))
        .body("error.message", containsString("1:"));
    given().header("Authorization", ADMIN).get("/v1/attributes/" + name).then().statusCode(404);

    post("{\"name\": \"%s\", \"type\": \"money\"}".formatted(name))
        .statusCode(422)
        .body("error.field", equalTo("type"));
    post("""
            {"name": "%s", "type": "string", "enrichments": [{"op": "increment", "value": "1"}]}
            """
            .formatted(name))
        .statusCode(422)
        .body("error.field", equalTo("enrichments[0].op"));
    given().header("Authorization", ADMIN).get("/v1/attributes/" + name).then().statusCode(404);
  }

  @Test
  void aRefusedReplacementLeavesTheDefinitionAsItWas() {
    String name = unique("kept");
    post("{\"name\": \"%s\", \"type\": \"number\"}".formatted(name)).statusCode(201);
    given()
        .header("Authorization", ADMIN)
        .contentType(ContentType.JSON)
        .body("{\"type\": \"set\", \"enrichments\": [{\"op\": \"add\", \"value\": \"event.\"}]}")
        .put("/v1/attributes/" + name)
        .then()
        .statusCode(422)
        .body("error.field", equalTo("enrichments[0].value"));
    given()
        .header("Authorization", ADMIN)
        .get("/v1/attributes/" + name)
        .then()
        .statusCode(200)
        .body("type", equalTo("number"));
  }

  @Test
  void definitionsNeedTheAdminToken() {
    given().get("/v1/attributes").then().statusCode(401);
  }

  @Test
  void eventsEnrichTheProfileByTheDefinedRules() {
    String orders = unique("lifetime_orders");
    String views = unique("category_views");
    String favourite = unique("favourite_category");
    String categories = unique("categories");
    String vip = unique("vip");
    post("""
            {"name": "%s", "type": "number",
             "enrichments": [{"when": "event.event == 'Order Completed'", "op": "increment", "value": "1"}]}
            """
            .formatted(orders))
        .statusCode(201);
    post("""
            {"name": "%s", "type": "tally",
             "enrichments": [{"when": "has(event.properties.category)", "op": "increment",
                              "key": "event.properties.category"}]}
            """
            .formatted(views))
        .statusCode(201);
    post("""
            {"name": "%1$s", "type": "string",
             "enrichments": [{"when": "has(profile.attributes.%2$s)", "op": "set",
               "value": "profile.attributes.%2$s.filter(k, profile.attributes.%2$s.all(j, profile.attributes.%2$s[k] >= profile.attributes.%2$s[j]))[0]"}]}
            """
            .formatted(favourite, views))
        .statusCode(201);
    post("""
            {"name": "%s", "type": "set",
             "enrichments": [{"when": "has(event.properties.category)", "op": "add",
                              "value": "event.properties.category"}]}
            """
            .formatted(categories))
        .statusCode(201);
    post("""
            {"name": "%s", "type": "badge",
             "enrichments": [{"when": "has(profile.attributes.%s) && profile.attributes.%s >= 2", "op": "assign"}]}
            """
            .formatted(vip, orders, orders))
        .statusCode(201);

    String profileId = "p-" + UUID.randomUUID();
    String userId = "u-" + UUID.randomUUID();
    Instant now = Instant.now();
    List<String> payloads =
        List.of(
            "{\"event\":\"Viewed\",\"properties\":{\"category\":\"hats\"}}",
            "{\"event\":\"Order Completed\",\"properties\":{\"category\":\"shoes\"}}",
            "{\"event\":\"Viewed\",\"properties\":{\"category\":\"hats\"}}",
            "{\"event\":\"Order Completed\",\"properties\":{\"category\":\"shoes\"}}",
            "{\"event\":\"Viewed\",\"properties\":{\"category\":\"hats\"}}");
    for (int i = 0; i < payloads.size(); i++) {
      send(profileId, event("track", now.plusMillis(i), payloads.get(i)), id("user_id", userId));
    }

    awaitProfile("user_id:" + userId, eventCount(5))
        .then()
        .body("attributes." + orders, equalTo(2))
        .body("attributes." + views + ".hats", equalTo(3))
        .body("attributes." + views + ".shoes", equalTo(2))
        .body("attributes." + favourite, equalTo("hats"))
        .body("attributes." + categories, equalTo(List.of("hats", "shoes")))
        .body("badges", equalTo(List.of(vip)));
    ProfileChange change =
        awaitChange(
                c ->
                    c.getProfileId().equals(profileId)
                        && c.getSnapshot().getBadgesList().contains(vip))
            .value();
    assertTrue(change.getChangedList().containsAll(List.of("badges", orders)));
    assertEquals(
        2.0, change.getSnapshot().getAttributes().getFieldsOrThrow(orders).getNumberValue());
  }
}
