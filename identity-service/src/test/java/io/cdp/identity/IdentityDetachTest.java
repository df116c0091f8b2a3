package io.cdp.identity;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.cdp.contracts.Topics;
import io.cdp.contracts.identity.v1.Identifier;
import io.cdp.contracts.identity.v1.IdentitySplit;
import io.cdp.contracts.kafka.Deserializers;
import io.cdp.localstack.KafkaProbe;
import io.cdp.localstack.LocalStackResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** {@code POST /v1/identities/{type}:{value}/detach}: undoing a wrong link. */
@QuarkusTest
@WithTestResource(LocalStackResource.class)
class IdentityDetachTest {

  private static final String ADMIN = "Bearer test-admin-token";

  @Inject Pool database;

  @Test
  void aDetachedIdentifierGetsAProfileOfItsOwnAndLaterEventsResolveThere() {
    String user = RawEvents.fresh("u");
    String anon = RawEvents.fresh("a");
    String email = user + "@example.com";
    String person =
        RawEvents.sendAndResolve(
            RawEvents.event("identify", user, anon, Map.of("traits", Map.of("email", email))));

    JsonPath detached =
        given()
            .header("Authorization", ADMIN)
            .post("/v1/identities/{id}/detach", "anonymous_id:" + anon)
            .then()
            .statusCode(200)
            .body("identifier", equalTo("anonymous_id:" + anon))
            .body("fromProfileId", equalTo(person))
            .extract()
            .jsonPath();
    String own = detached.getString("toProfileId");
    assertNotEquals(person, own);

    given()
        .header("Authorization", ADMIN)
        .get("/v1/identities/{id}", "user_id:" + user)
        .then()
        .statusCode(200)
        .body("profileId", equalTo(person))
        .body("identifiers", containsInAnyOrder("user_id:" + user, "email:" + email));
    given()
        .header("Authorization", ADMIN)
        .get("/v1/identities/{id}", "anonymous_id:" + anon)
        .then()
        .statusCode(200)
        .body("profileId", equalTo(own))
        .body("identifiers", equalTo(List.of("anonymous_id:" + anon)));
    assertEquals(own, RawEvents.sendAndResolve(RawEvents.event("page", "", anon, Map.of())));

    Row audit =
        database
            .preparedQuery(
                "SELECT id, from_profile_id, to_profile_id FROM identity.detached_identifiers"
                    + " WHERE type = 'anonymous_id' AND value = $1")
            .execute(Tuple.of(anon))
            .await()
            .atMost(Duration.ofSeconds(30))
            .iterator()
            .next();
    assertEquals(person, audit.getString("from_profile_id"));
    assertEquals(own, audit.getString("to_profile_id"));

    // The profile service learns of it: one split, keyed by the profile the identifier left.
    ConsumerRecord<String, IdentitySplit> split =
        KafkaProbe.ofTestStack()
            .await(
                Topics.IDENTITY_SPLITS,
                new Deserializers.IdentitySplitDeserializer(),
                s -> s.getToProfileId().equals(own),
                Duration.ofSeconds(30));
    assertEquals(person, split.key());
    assertEquals(person, split.value().getFromProfileId());
    assertEquals(
        List.of(Identifier.newBuilder().setType("anonymous_id").setValue(anon).build()),
        split.value().getIdentifiersList());
    assertEquals(audit.getString("id"), split.value().getSplitId());
  }

  @Test
  void theOnlyIdentifierOfAProfileCannotBeDetached() {
    String anon = RawEvents.fresh("a");
    String profile = RawEvents.sendAndResolve(RawEvents.event("page", "", anon, Map.of()));

    given()
        .header("Authorization", ADMIN)
        .post("/v1/identities/{id}/detach", "anonymous_id:" + anon)
        .then()
        .statusCode(409)
        .body("error.code", equalTo("only_identifier"))
        .body("error.field", equalTo("identifier"));
    assertEquals(profile, RawEvents.profileIdOf("anonymous_id:" + anon));
  }

  @Test
  void anUnknownIdentifierIsNotFoundAndTheTokenIsRequired() {
    given()
        .header("Authorization", ADMIN)
        .post("/v1/identities/{id}/detach", "user_id:" + RawEvents.fresh("nobody"))
        .then()
        .statusCode(404)
        .body("error.code", equalTo("not_found"));
    given()
        .post("/v1/identities/{id}/detach", "user_id:" + RawEvents.fresh("nobody"))
        .then()
        .statusCode(401)
        .body("error.code", equalTo("unauthorized"));
  }
}
