package io.cdp.collector;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import io.cdp.localstack.LocalStackResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Sources: disabling one refuses its events at once; enabling it again lets them through. */
@QuarkusTest
@WithTestResource(LocalStackResource.class)
class SourcesTest {

  private static void send(String writeKey, int status) {
    Stack.as(writeKey)
        .contentType(ContentType.JSON)
        .body(Map.of("userId", "u-src", "event", "Ping", "messageId", "s-" + UUID.randomUUID()))
        .post("/v1/track")
        .then()
        .statusCode(status);
  }

  private static void patch(String id, Map<String, Object> change, boolean enabled) {
    given()
        .header("Authorization", Stack.ADMIN)
        .contentType(ContentType.JSON)
        .body(change)
        .patch("/v1/sources/" + id)
        .then()
        .statusCode(200)
        .body("enabled", equalTo(enabled));
  }

  @Test
  void aDisabledSourceIsRefusedWith401UntilEnabledAgain() {
    Map<String, Object> source = Stack.newSource(Map.of());
    String id = (String) source.get("id");
    String writeKey = (String) source.get("writeKey");
    send(writeKey, 200);

    patch(id, Map.of("enabled", false), false);
    Stack.as(writeKey)
        .contentType(ContentType.JSON)
        .body(Map.of("userId", "u-src", "event", "Ping"))
        .post("/v1/track")
        .then()
        .statusCode(401)
        .body("error.code", equalTo("source_disabled"));
    given()
        .header("Authorization", Stack.ADMIN)
        .get("/v1/sources/" + id)
        .then()
        .statusCode(200)
        .body("enabled", equalTo(false));

    patch(id, Map.of("enabled", true, "name", "renamed"), true);
    send(writeKey, 200);
  }

  @Test
  void changingAnUnknownSourceIsA404AndAnEmptyChangeA400() {
    given()
        .header("Authorization", Stack.ADMIN)
        .contentType(ContentType.JSON)
        .body(Map.of("enabled", false))
        .patch("/v1/sources/" + UUID.randomUUID())
        .then()
        .statusCode(404)
        .body("error.code", equalTo("not_found"));
    given()
        .header("Authorization", Stack.ADMIN)
        .contentType(ContentType.JSON)
        .body(Map.of())
        .patch("/v1/sources/" + Stack.newSource(Map.of()).get("id"))
        .then()
        .statusCode(400)
        .body("error.code", equalTo("missing_field"));
  }
}
