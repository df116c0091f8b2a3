package io.cdp.identity;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cdp.contracts.collector.v1.RawEvent;
import io.cdp.contracts.identity.v1.Identifier;
import io.cdp.contracts.identity.v1.ResolvedEvent;
import io.cdp.localstack.LocalStackResource;
import io.quarkus.infinispan.client.Remote;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.infinispan.client.hotrod.RemoteCache;
import org.junit.jupiter.api.Test;

/** Raw events in, resolved events out, against the real broker, PostgreSQL and Infinispan. */
@QuarkusTest
@WithTestResource(LocalStackResource.class)
class IdentityResolutionTest {

  private static final String ADMIN = "Bearer test-admin-token";

  @Inject
  @Remote("identity-index")
  RemoteCache<String, String> index;

  private static List<String> keys(ResolvedEvent event) {
    return event.getIdentifiersList().stream().map(i -> i.getType() + ":" + i.getValue()).toList();
  }

  @Test
  void anonymousPageThenIdentifyEndOnOneProfile() {
    String anon = RawEvents.fresh("a");
    String user = RawEvents.fresh("u");
    RawEvent page = RawEvents.event("page", "", anon, Map.of());
    RawEvents.send(page);
    ConsumerRecord<String, ResolvedEvent> first = RawEvents.resolved(page, 1);
    String profileId = first.value().getProfileId();
    assertEquals(profileId, first.key());
    assertEquals(List.of("anonymous_id:" + anon), keys(first.value()));
    assertTrue(first.value().getProfileCreated(), "the first event creates the profile");

    RawEvent identify =
        RawEvents.event(
            "identify",
            user,
            anon,
            Map.of("traits", Map.of("email", " Ann." + user + "@Example.COM")));
    RawEvents.send(identify);
    ConsumerRecord<String, ResolvedEvent> second = RawEvents.resolved(identify, 1);
    assertEquals(profileId, second.value().getProfileId());
    assertEquals(profileId, second.key());
    assertEquals(identify, second.value().getEvent());
    assertFalse(second.value().getProfileCreated(), "the profile existed before the login");

    String email = "email:ann." + user.toLowerCase() + "@example.com";
    given()
        .header("Authorization", ADMIN)
        .get("/v1/identities/{id}", "user_id:" + user)
        .then()
        .statusCode(200)
        .body("profileId", equalTo(profileId))
        .body("identifiers", containsInAnyOrder("user_id:" + user, "anonymous_id:" + anon, email));
    // Any identifier of the profile, in any case for emails, finds the same profile.
    given()
        .header("Authorization", ADMIN)
        .get("/v1/identities/{id}", email.toUpperCase().replace("EMAIL:", "email:"))
        .then()
        .statusCode(200)
        .body("profileId", equalTo(profileId));
  }

  @Test
  void aReplayedEventResolvesToTheSameProfileAndAddsNothing() {
    String user = RawEvents.fresh("u");
    RawEvent identify =
        RawEvents.event(
            "identify",
            user,
            RawEvents.fresh("a"),
            Map.of("traits", Map.of("phone", "+1 555 010 0000")));
    RawEvents.send(identify);
    String profileId = RawEvents.resolved(identify, 1).value().getProfileId();
    List<String> before =
        given()
            .header("Authorization", ADMIN)
            .get("/v1/identities/{id}", "user_id:" + user)
            .then()
            .statusCode(200)
            .extract()
            .path("identifiers");
    assertEquals(3, before.size());

    RawEvents.send(identify);
    ResolvedEvent replayed = RawEvents.resolved(identify, 2).value();
    assertEquals(profileId, replayed.getProfileId());
    assertFalse(replayed.getProfileCreated(), "a replay finds the profile its first run created");
    given()
        .header("Authorization", ADMIN)
        .get("/v1/identities/{id}", "user_id:" + user)
        .then()
        .statusCode(200)
        .body("profileId", equalTo(profileId))
        .body("identifiers", equalTo(before));
  }

  @Test
  void externalIdsAndNationalPhonesAreLinked() {
    String crm = RawEvents.fresh("crm");
    RawEvent identify =
        RawEvents.event(
            "identify",
            "",
            RawEvents.fresh("a"),
            Map.of(
                "traits",
                Map.of("phone", "0151 " + Math.abs(crm.hashCode())),
                "context",
                Map.of(
                    "externalIds",
                    List.of(Map.of("id", crm, "type", "crm_id", "collection", "users")))));
    RawEvents.send(identify);
    String profileId = RawEvents.resolved(identify, 1).value().getProfileId();
    // The test profile's default country code is 49: the national number is stored in E.164.
    given()
        .header("Authorization", ADMIN)
        .get("/v1/identities/{id}", "phone:+49 151 " + Math.abs(crm.hashCode()))
        .then()
        .statusCode(200)
        .body("profileId", equalTo(profileId));
    given()
        .header("Authorization", ADMIN)
        .get("/v1/identities/{id}", "crm_id:" + crm)
        .then()
        .statusCode(200)
        .body("profileId", equalTo(profileId));
  }

  @Test
  void blockedValuesAreNotLinked() {
    String user = RawEvents.fresh("u");
    RawEvent identify =
        RawEvents.event(
            "identify",
            user,
            "anonymous",
            Map.of(
                "traits",
                Map.of("email", "undefined"),
                "context",
                Map.of("traits", Map.of("email", "null"))));
    RawEvents.send(identify);
    ResolvedEvent resolved = RawEvents.resolved(identify, 1).value();
    assertEquals(
        List.of(Identifier.newBuilder().setType("user_id").setValue(user).build()),
        resolved.getIdentifiersList());
    given()
        .header("Authorization", ADMIN)
        .get("/v1/identities/{id}", "user_id:" + user)
        .then()
        .statusCode(200)
        .body("identifiers", equalTo(List.of("user_id:" + user)));
    given()
        .header("Authorization", ADMIN)
        .get("/v1/identities/anonymous_id:anonymous")
        .then()
        .statusCode(404)
        .body("error.code", equalTo("not_found"));
  }

  @Test
  void aColdIndexGivesTheSameAnswersAsAWarmOne() {
    String anon = RawEvents.fresh("a");
    RawEvent page = RawEvents.event("page", "", anon, Map.of());
    RawEvents.send(page);
    String profileId = RawEvents.resolved(page, 1).value().getProfileId();
    assertEquals(profileId, index.get("anonymous_id:" + anon));

    index.clear();
    RawEvent track = RawEvents.event("track", "", anon, Map.of("event", "Clicked"));
    RawEvents.send(track);
    assertEquals(profileId, RawEvents.resolved(track, 1).value().getProfileId());

    index.clear();
    given()
        .header("Authorization", ADMIN)
        .get("/v1/identities/{id}", "anonymous_id:" + anon)
        .then()
        .statusCode(200)
        .body("profileId", equalTo(profileId));
    // The miss was answered by PostgreSQL and filled the index again.
    assertEquals(profileId, index.get("anonymous_id:" + anon));
  }

  @Test
  void twoStrangersGetTwoProfiles() {
    RawEvent one = RawEvents.event("page", "", RawEvents.fresh("a"), Map.of());
    RawEvent two = RawEvents.event("page", "", RawEvents.fresh("a"), Map.of());
    RawEvents.send(one);
    RawEvents.send(two);
    assertNotEquals(
        RawEvents.resolved(one, 1).value().getProfileId(),
        RawEvents.resolved(two, 1).value().getProfileId());
  }

  @Test
  void lookupsNeedTheAdminTokenAndAWellFormedIdentifier() {
    given()
        .get("/v1/identities/user_id:42")
        .then()
        .statusCode(401)
        .body("error.code", equalTo("unauthorized"));
    given()
        .header("Authorization", ADMIN)
        .get("/v1/identities/no-colon")
        .then()
        .statusCode(400)
        .body("error.code", equalTo("invalid_identifier"))
        .body("error.field", equalTo("identifier"));
    given()
        .header("Authorization", ADMIN)
        .get("/v1/identities/{id}", "user_id:" + RawEvents.fresh("nobody"))
        .then()
        .statusCode(404)
        .body("error.code", equalTo("not_found"));
  }
}
