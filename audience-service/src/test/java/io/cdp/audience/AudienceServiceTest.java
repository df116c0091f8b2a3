package io.cdp.audience;

import static io.cdp.audience.AudienceTestSupport.ADMIN;
import static io.cdp.audience.AudienceTestSupport.awaitTransition;
import static io.cdp.audience.AudienceTestSupport.change;
import static io.cdp.audience.AudienceTestSupport.createAudience;
import static io.cdp.audience.AudienceTestSupport.defineAttribute;
import static io.cdp.audience.AudienceTestSupport.eventually;
import static io.cdp.audience.AudienceTestSupport.transitionsOf;
import static io.cdp.audience.AudienceTestSupport.uniqueAttribute;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.cdp.audience.store.MembershipSet;
import io.cdp.contracts.Topics;
import io.cdp.contracts.audience.v1.MembershipTransition;
import io.cdp.contracts.audience.v1.TransitionKind;
import io.cdp.contracts.profile.v1.Profile;
import io.cdp.contracts.profile.v1.ProfileChange;
import io.cdp.contracts.profile.v1.ProfilesGrpc;
import io.cdp.contracts.profile.v1.VisitTransition;
import io.cdp.localstack.KafkaProbe;
import io.cdp.localstack.LocalStackResource;
import io.quarkus.infinispan.client.Remote;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.infinispan.client.hotrod.RemoteCache;
import org.junit.jupiter.api.Test;

/** The audience service against the real stack: definitions in PostgreSQL, transitions on Kafka. */
@QuarkusTest
@WithTestResource(LocalStackResource.class)
@WithTestResource(ProfileServiceResource.class)
class AudienceServiceTest {

  @Inject
  @Remote("memberships")
  RemoteCache<String, MembershipSet> memberships;

  @Test
  void anAudienceIsCreatedReadReplacedAndDeleted() {
    defineAttribute("lifetime_orders", "number");
    String name = "High value " + UUID.randomUUID();
    String id = createAudience(name, "profile.attributes.lifetime_orders >= 2");
    given()
        .header("Authorization", ADMIN)
        .get("/v1/audiences/" + id)
        .then()
        .statusCode(200)
        .body("id", equalTo(id))
        .body("size", equalTo(0));
    given()
        .header("Authorization", ADMIN)
        .get("/v1/audiences")
        .then()
        .statusCode(200)
        .body("name", hasItem(name));
    given()
        .header("Authorization", ADMIN)
        .contentType(ContentType.JSON)
        .body(Map.of("name", name + " v2", "rule", "'vip' in profile.badges"))
        .put("/v1/audiences/" + id)
        .then()
        .statusCode(200)
        .body("name", equalTo(name + " v2"))
        .body("rule", equalTo("'vip' in profile.badges"));
    given().header("Authorization", ADMIN).delete("/v1/audiences/" + id).then().statusCode(204);
    given()
        .header("Authorization", ADMIN)
        .get("/v1/audiences/" + id)
        .then()
        .statusCode(404)
        .body("error.code", equalTo("not_found"));
    given()
        .header("Authorization", ADMIN)
        .delete("/v1/audiences/" + UUID.randomUUID())
        .then()
        .statusCode(404);
    given().get("/v1/audiences").then().statusCode(401);
  }

  @Test
  void aRuleThatDoesNotCompileIsA422WithTheCompilersMessageAndNothingIsSaved() {
    String name = "Broken " + UUID.randomUUID();
    given()
        .header("Authorization", ADMIN)
        .contentType(ContentType.JSON)
        .body(Map.of("name", name, "rule", "profile.attributes.lifetime_orders >= "))
        .post("/v1/audiences")
        .then()
        .statusCode(422)
        .body("error.code", equalTo("invalid_rule"))
        .body("error.field", equalTo("rule"))
        .body("error.message", containsString("<input>:1:"));
    given()
        .header("Authorization", ADMIN)
        .contentType(ContentType.JSON)
        .body(Map.of("name", name, "rule", "profile.attributes.lifetime_orders + 1"))
        .post("/v1/audiences")
        .then()
        .statusCode(422)
        .body("error.message", containsString("must return a bool"));
    given()
        .header("Authorization", ADMIN)
        .get("/v1/audiences")
        .then()
        .statusCode(200)
        .body("name", not(hasItem(name)));
  }

  @Test
  void aRuleNamingAnUndefinedAttributeOrMisusingOneIsA422WithItsPositionAndNothingIsSaved() {
    String orders = uniqueAttribute("orders", "number");
    String plan = uniqueAttribute("plan", "string");
    String name = "Mistyped " + UUID.randomUUID();
    String undefined = "profile.attributes." + orders + "_typo >= 2";
    String numberAsString = "profile.attributes." + orders + " == 'x'";
    String stringAsNumber = "profile.attributes." + plan + " > 3";
    given()
        .header("Authorization", ADMIN)
        .contentType(ContentType.JSON)
        .body(Map.of("name", name, "rule", undefined))
        .post("/v1/audiences")
        .then()
        .statusCode(422)
        .body("error.code", equalTo("invalid_rule"))
        .body("error.field", equalTo("rule"))
        .body(
            "error.message",
            containsString("<input>:1:19: undefined attribute '" + orders + "_typo'"));
    given()
        .header("Authorization", ADMIN)
        .contentType(ContentType.JSON)
        .body(Map.of("name", name, "rule", numberAsString))
        .post("/v1/audiences")
        .then()
        .statusCode(422)
        .body("error.code", equalTo("invalid_rule"))
        .body(
            "error.message",
            containsString(
                "<input>:1:"
                    + (numberAsString.indexOf("==") + 1)
                    + ": found no matching overload for '_==_' applied to '(double, string)'"));
    String id = createAudience(name + " ok", "profile.attributes." + plan + " == 'pro'");
    given()
        .header("Authorization", ADMIN)
        .contentType(ContentType.JSON)
        .body(Map.of("name", name, "rule", stringAsNumber))
        .put("/v1/audiences/" + id)
        .then()
        .statusCode(422)
        .body("error.message", containsString("applied to '(string, int)'"));
    given()
        .header("Authorization", ADMIN)
        .get("/v1/audiences")
        .then()
        .statusCode(200)
        .body("name", not(hasItem(name)));
    given()
        .header("Authorization", ADMIN)
        .get("/v1/audiences/" + id)
        .then()
        .statusCode(200)
        .body("name", equalTo(name + " ok"))
        .body("rule", equalTo("profile.attributes." + plan + " == 'pro'"));
  }

  @Test
  void aProfileJoinsLeavesAndRejoinsOncePerChangeAndIgnoresRedeliveries() {
    String attribute = uniqueAttribute("orders", "number");
    String audienceId = createAudience("Buyers", "profile.attributes." + attribute + " >= 2");
    String profileId = "p-" + UUID.randomUUID();
    String email = "ann-" + UUID.randomUUID() + "@example.com";

    ProfileChange matching = change(profileId, 1, attribute, 3, email);
    KafkaProbe.ofTestStack().send(Topics.PROFILES_CHANGES, profileId, matching);
    MembershipTransition joined = awaitTransition(profileId, audienceId, TransitionKind.JOINED, 1);
    assertEquals("Buyers", joined.getAudienceName());

    eventually(
        () ->
            given()
                .header("Authorization", ADMIN)
                .get("/v1/memberships/email:" + email.toUpperCase())
                .then()
                .statusCode(200)
                .body("profileId", equalTo(profileId))
                .body("audiences.id", hasItem(audienceId))
                .body("audiences.name", hasItem("Buyers"))
                .body("audiences.since", hasItem(notNullValue())));
    given()
        .header("Authorization", ADMIN)
        .get("/v1/audiences/" + audienceId)
        .then()
        .body("size", equalTo(1));
    eventually(
        () -> {
          MembershipSet hot = memberships.get(profileId);
          assertEquals(1, hot == null ? -1 : hot.version());
          assertTrue(hot.audienceIds().contains(audienceId), "the hot copy has the membership");
        });

    // The same change again (a redelivery), then a later version that no longer matches.
    KafkaProbe.ofTestStack().send(Topics.PROFILES_CHANGES, profileId, matching);
    KafkaProbe.ofTestStack()
        .send(Topics.PROFILES_CHANGES, profileId, change(profileId, 2, attribute, 1, email));
    awaitTransition(profileId, audienceId, TransitionKind.LEFT, 2);

    eventually(
        () ->
            given()
                .header("Authorization", ADMIN)
                .get("/v1/memberships/email:" + email)
                .then()
                .statusCode(200)
                .body("audiences.size()", equalTo(0)));
    given()
        .header("Authorization", ADMIN)
        .get("/v1/audiences/" + audienceId)
        .then()
        .body("size", equalTo(0));

    // v1 redelivered late (stale: it would rejoin if replayed), then v3 that matches again.
    KafkaProbe.ofTestStack().send(Topics.PROFILES_CHANGES, profileId, matching);
    KafkaProbe.ofTestStack()
        .send(Topics.PROFILES_CHANGES, profileId, change(profileId, 3, attribute, 5, email));
    awaitTransition(profileId, audienceId, TransitionKind.JOINED, 3);

    // Same key, same partition: both redeliveries were handled before v3's transition.
    List<MembershipTransition> all = transitionsOf(profileId);
    assertEquals(
        List.of("JOINED@1", "LEFT@2", "JOINED@3"),
        all.stream().map(t -> t.getKind() + "@" + t.getProfileVersion()).toList());
    assertEquals(joined.getTransitionId(), all.get(0).getTransitionId());
    given()
        .header("Authorization", ADMIN)
        .get("/v1/audiences/" + audienceId)
        .then()
        .body("size", equalTo(1));
  }

  @Test
  void aPollOfManyProfilesChangesGivesWhatApplyingThemOneByOneGives() {
    String attribute = uniqueAttribute("orders", "number");
    String audienceId = createAudience("Batch buyers", "profile.attributes." + attribute + " >= 2");
    List<String> profiles = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      profiles.add("p-" + UUID.randomUUID());
    }
    // Per profile: joins (v1), leaves (v2), a stale redelivery of v1, joins again (v3) with a
    // new email that replaces the old one.
    List<Map.Entry<String, ProfileChange>> poll = new ArrayList<>();
    for (String p : profiles) {
      poll.add(Map.entry(p, change(p, 1, attribute, 3, "old-" + p + "@example.com")));
      poll.add(Map.entry(p, change(p, 2, attribute, 1, "old-" + p + "@example.com")));
      poll.add(Map.entry(p, change(p, 1, attribute, 3, "old-" + p + "@example.com")));
      poll.add(Map.entry(p, change(p, 3, attribute, 5, "new-" + p + "@example.com")));
    }
    KafkaProbe.ofTestStack().sendAll(Topics.PROFILES_CHANGES, List.copyOf(poll));

    for (String p : profiles) {
      awaitTransition(p, audienceId, TransitionKind.JOINED, 3);
      assertEquals(
          List.of("JOINED@1", "LEFT@2", "JOINED@3"),
          transitionsOf(p).stream().map(t -> t.getKind() + "@" + t.getProfileVersion()).toList(),
          "transitions of " + p);
    }
    given()
        .header("Authorization", ADMIN)
        .get("/v1/audiences/" + audienceId)
        .then()
        .body("size", equalTo(profiles.size()));
    String some = profiles.get(3);
    eventually(
        () ->
            given()
                .header("Authorization", ADMIN)
                .get("/v1/memberships/email:new-" + some + "@example.com")
                .then()
                .statusCode(200)
                .body("profileId", equalTo(some))
                .body("audiences.id", hasItem(audienceId)));
    given()
        .header("Authorization", ADMIN)
        .get("/v1/memberships/email:old-" + some + "@example.com")
        .then()
        .statusCode(404);
    eventually(
        () -> {
          MembershipSet hot = memberships.get(some);
          assertEquals(3, hot == null ? -1 : hot.version());
          assertEquals(List.of(audienceId), hot.audienceIds());
        });
  }

  @Test
  void aDeletedProfileLeavesItsAudiencesAndIsNoLongerFound() {
    String attribute = uniqueAttribute("spend", "number");
    String audienceId = createAudience("Spenders", "profile.attributes." + attribute + " > 100");
    String profileId = "p-" + UUID.randomUUID();
    String email = "bob-" + UUID.randomUUID() + "@example.com";
    KafkaProbe.ofTestStack()
        .send(Topics.PROFILES_CHANGES, profileId, change(profileId, 4, attribute, 250, email));
    awaitTransition(profileId, audienceId, TransitionKind.JOINED, 4);

    KafkaProbe.ofTestStack()
        .send(
            Topics.PROFILES_CHANGES,
            profileId,
            ProfileChange.newBuilder()
                .setProfileId(profileId)
                .setVersion(5)
                .setDeleted(true)
                .build());
    awaitTransition(profileId, audienceId, TransitionKind.LEFT, 5);
    eventually(
        () ->
            given()
                .header("Authorization", ADMIN)
                .get("/v1/memberships/email:" + email)
                .then()
                .statusCode(404));
    eventually(() -> assertNull(memberships.get(profileId), "the hot copy is gone"));
  }

  @Test
  void aMemberIsInItsAudiencesAtVisitStartAndEnd() {
    String attribute = uniqueAttribute("orders", "number");
    String audienceId = createAudience("Visitors", "profile.attributes." + attribute + " >= 1");
    String profileId = "p-" + UUID.randomUUID();
    String email = "vic-" + UUID.randomUUID() + "@example.com";
    KafkaProbe.ofTestStack()
        .send(
            Topics.PROFILES_CHANGES,
            profileId,
            change(profileId, 1, attribute, 2, email).toBuilder()
                .setVisitTransition(VisitTransition.VISIT_STARTED)
                .build());
    awaitTransition(profileId, audienceId, TransitionKind.IN_AUDIENCE_AT_VISIT_START, 1);
    KafkaProbe.ofTestStack()
        .send(
            Topics.PROFILES_CHANGES,
            profileId,
            change(profileId, 2, attribute, 2, email).toBuilder()
                .clearChanged()
                .addChanged("visit")
                .setVisitTransition(VisitTransition.VISIT_ENDED)
                .build());
    awaitTransition(profileId, audienceId, TransitionKind.IN_AUDIENCE_AT_VISIT_END, 2);
    assertEquals(
        List.of("JOINED@1", "IN_AUDIENCE_AT_VISIT_START@1", "IN_AUDIENCE_AT_VISIT_END@2"),
        transitionsOf(profileId).stream()
            .map(t -> t.getKind() + "@" + t.getProfileVersion())
            .toList());
  }

  @Test
  void onlyAudiencesReadingAChangedAttributeAreEvaluated() {
    String attribute = uniqueAttribute("orders", "number");
    String audienceId = createAudience("Indexed", "profile.attributes." + attribute + " >= 1");
    String profileId = "p-" + UUID.randomUUID();
    String email = "ida-" + UUID.randomUUID() + "@example.com";
    KafkaProbe.ofTestStack()
        .send(Topics.PROFILES_CHANGES, profileId, change(profileId, 1, attribute, 2, email));
    awaitTransition(profileId, audienceId, TransitionKind.JOINED, 1);

    // Version 2 would not match, but says only another attribute changed: the audience is not
    // evaluated. Version 3 names the attribute, so the profile leaves then.
    KafkaProbe.ofTestStack()
        .send(
            Topics.PROFILES_CHANGES,
            profileId,
            change(profileId, 2, attribute, 0, email).toBuilder()
                .clearChanged()
                .addChanged("event_count")
                .build());
    KafkaProbe.ofTestStack()
        .send(Topics.PROFILES_CHANGES, profileId, change(profileId, 3, attribute, 0, email));
    awaitTransition(profileId, audienceId, TransitionKind.LEFT, 3);
    assertEquals(
        List.of("JOINED@1", "LEFT@3"),
        transitionsOf(profileId).stream()
            .map(t -> t.getKind() + "@" + t.getProfileVersion())
            .toList());
  }

  @Test
  void unknownIdentifiersAreA404() {
    given()
        .header("Authorization", ADMIN)
        .get("/v1/memberships/user_id:" + UUID.randomUUID())
        .then()
        .statusCode(404)
        .body("error.code", equalTo("not_found"));
  }

  @Test
  void theGrpcStubsStillMarshalWithCelsProtobufRuntime() throws Exception {
    Profile profile =
        Profile.newBuilder()
            .setProfileId("p")
            .setAttributes(
                Struct.newBuilder().putFields("n", Value.newBuilder().setNumberValue(2).build()))
            .build();
    Profile parsed =
        ProfilesGrpc.getGetProfileMethod()
            .parseResponse(new ByteArrayInputStream(profile.toByteArray()));
    assertEquals(profile, parsed);
  }
}
