package io.cdp.e2e;

import static io.restassured.RestAssured.given;

import io.cdp.localstack.SuiteService;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The suite's public HTTP API as a client sees it (API.md): the admin API of each service with the
 * admin token, and the collector's Segment API with a source's write key.
 */
final class Cdp {

  private final Suite suite;
  private final String writeKey;

  private Cdp(Suite suite, String writeKey) {
    this.suite = suite;
    this.writeKey = writeKey;
  }

  /** A client with a new source ({@code POST /v1/sources}) to send events through. */
  static Cdp withNewSource(Suite suite, String sourceName) {
    Cdp admin = new Cdp(suite, null);
    String writeKey =
        admin
            .create(SuiteService.COLLECTOR, "/v1/sources", Map.of("name", sourceName))
            .getString("writeKey");
    return new Cdp(suite, writeKey);
  }

  /**
   * Sends one Segment event ({@code track}, {@code identify}, {@code page}, ...) and returns once
   * the collector answered 200: the event is durably on Kafka.
   */
  void send(String type, Map<String, Object> event) {
    send(type, event, Map.of());
  }

  /** {@link #send(String, Map)} with more HTTP headers (a {@code traceparent}, say). */
  void send(String type, Map<String, Object> event, Map<String, String> headers) {
    given()
        .baseUri(suite.url(SuiteService.COLLECTOR))
        .headers(headers)
        .auth()
        .preemptive()
        .basic(writeKey, "")
        .contentType(ContentType.JSON)
        .body(event)
        .post("/v1/" + type)
        .then()
        .log()
        .ifValidationFails()
        .statusCode(200);
  }

  /** A {@code track} event of {@code userId} (or anonymous visitor, by {@code identity}). */
  void track(Map<String, Object> identity, String event, Map<String, Object> properties) {
    Map<String, Object> body = new HashMap<>(identity);
    body.put("event", event);
    body.put("properties", properties);
    send("track", body);
  }

  /** An {@code identify} event declaring {@code traits}. */
  void identify(Map<String, Object> identity, Map<String, Object> traits) {
    Map<String, Object> body = new HashMap<>(identity);
    body.put("traits", traits);
    send("identify", body);
  }

  /** {@code POST path} with the admin token; expects 201 and returns the created thing. */
  JsonPath create(SuiteService service, String path, Object body) {
    return post(service, path, body, 201);
  }

  /** {@code POST path} with the admin token; expects {@code status} and returns the answer. */
  JsonPath post(SuiteService service, String path, Object body, int status) {
    return admin(service)
        .body(body)
        .post(path)
        .then()
        .log()
        .ifValidationFails()
        .statusCode(status)
        .extract()
        .jsonPath();
  }

  /** {@code GET path} with the admin token, whatever the answer. */
  Response get(SuiteService service, String path) {
    return admin(service).get(path);
  }

  /** {@code PUT path} with the admin token; expects 200. */
  JsonPath put(SuiteService service, String path, Object body) {
    return admin(service)
        .body(body)
        .put(path)
        .then()
        .log()
        .ifValidationFails()
        .statusCode(200)
        .extract()
        .jsonPath();
  }

  /** {@code GET /v1/profiles/{identifier}}: 200 with the profile, or 404. */
  Response profile(String identifier) {
    return get(SuiteService.PROFILE, "/v1/profiles/" + identifier);
  }

  /** Waits until the profile of {@code identifier} exists and satisfies {@code done}. */
  JsonPath awaitProfile(String identifier, String what, Predicate<JsonPath> done) {
    Response found =
        Eventually.await(
            what + " (profile " + identifier + ")",
            () -> profile(identifier),
            r -> r.statusCode() == 200 && done.test(r.jsonPath()));
    return found.jsonPath();
  }

  /** An audience ({@code POST /v1/audiences}); returns its id. */
  String createAudience(String name, String rule) {
    return create(SuiteService.AUDIENCE, "/v1/audiences", Map.of("name", name, "rule", rule))
        .getString("id");
  }

  /** An attribute definition ({@code POST /v1/attributes}). */
  void createAttribute(Map<String, Object> definition) {
    create(SuiteService.PROFILE, "/v1/attributes", definition);
  }

  /** The delivery log of a connector ({@code GET /v1/connectors/{id}/deliveries}). */
  List<Map<String, Object>> deliveries(String connectorId) {
    return admin(SuiteService.CONNECTOR)
        .get("/v1/connectors/" + connectorId + "/deliveries")
        .then()
        .statusCode(200)
        .extract()
        .jsonPath()
        .getList("$");
  }

  private RequestSpecification admin(SuiteService service) {
    return given()
        .baseUri(suite.url(service))
        .header("Authorization", "Bearer " + suite.adminToken())
        .contentType(ContentType.JSON);
  }
}
