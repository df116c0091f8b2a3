package io.cdp.audience;

import static io.cdp.audience.AudienceTestSupport.ADMIN;
import static io.cdp.audience.AudienceTestSupport.awaitTransition;
import static io.cdp.audience.AudienceTestSupport.change;
import static io.cdp.audience.AudienceTestSupport.createAudience;
import static io.cdp.audience.AudienceTestSupport.eventually;
import static io.cdp.audience.AudienceTestSupport.transitionsOf;
import static io.cdp.audience.AudienceTestSupport.uniqueAttribute;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.Value;
import io.cdp.contracts.Topics;
import io.cdp.contracts.audience.v1.TransitionKind;
import io.cdp.localstack.KafkaProbe;
import io.cdp.localstack.LocalStackResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A new or changed audience is evaluated over the profiles that exist already, in pages (two
 * profiles a page in tests), in the background.
 */
@QuarkusTest
@WithTestResource(LocalStackResource.class)
@WithTestResource(ProfileServiceResource.class)
class BackfillTest {

  @Test
  void aNewAudienceBackfillsExistingProfilesAndAChangedRuleBackfillsAgain() {
    String attribute = uniqueAttribute("tier", "string");
    String gold1 = profile(attribute, "gold");
    String gold2 = profile(attribute, "gold");
    String silver = profile(attribute, "silver");

    String audienceId = createAudience("Gold", "profile.attributes." + attribute + " == 'gold'");

    awaitTransition(gold1, audienceId, TransitionKind.JOINED, 1);
    awaitTransition(gold2, audienceId, TransitionKind.JOINED, 1);
    awaitBackfillDone(audienceId, 2);

    given()
        .header("Authorization", ADMIN)
        .contentType(ContentType.JSON)
        .body(Map.of("name", "Silver", "rule", "profile.attributes." + attribute + " == 'silver'"))
        .put("/v1/audiences/" + audienceId)
        .then()
        .statusCode(200)
        .body("backfill.status", equalTo("running"));

    awaitTransition(gold1, audienceId, TransitionKind.LEFT, 1);
    awaitTransition(gold2, audienceId, TransitionKind.LEFT, 1);
    awaitTransition(silver, audienceId, TransitionKind.JOINED, 1);
    awaitBackfillDone(audienceId, 1);
    assertEquals(List.of("JOINED@1", "LEFT@1"), history(gold1));
    assertEquals(List.of("JOINED@1"), history(silver));
  }

  /**
   * A profile with {@code attribute = tier}, applied (its identifier is known) before returning.
   */
  private static String profile(String attribute, String tier) {
    String profileId = "p-" + UUID.randomUUID();
    String email = "bf-" + UUID.randomUUID() + "@example.com";
    KafkaProbe.ofTestStack()
        .send(
            Topics.PROFILES_CHANGES,
            profileId,
            change(
                profileId, 1, attribute, Value.newBuilder().setStringValue(tier).build(), email));
    eventually(
        () ->
            given()
                .header("Authorization", ADMIN)
                .get("/v1/memberships/email:" + email)
                .then()
                .statusCode(200));
    return profileId;
  }

  private static void awaitBackfillDone(String audienceId, int size) {
    eventually(
        () -> {
          JsonPath audience =
              given()
                  .header("Authorization", ADMIN)
                  .get("/v1/audiences/" + audienceId)
                  .then()
                  .statusCode(200)
                  .body("backfill.status", equalTo("done"))
                  .body("backfill.evaluated", greaterThanOrEqualTo(3))
                  .body("size", equalTo(size))
                  .extract()
                  .jsonPath();
          assertEquals(
              audience.getLong("backfill.total"),
              audience.getLong("backfill.evaluated"),
              "every profile known at the start was evaluated");
        });
  }

  private static List<String> history(String profileId) {
    return transitionsOf(profileId).stream()
        .map(t -> t.getKind() + "@" + t.getProfileVersion())
        .toList();
  }
}
