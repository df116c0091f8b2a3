package io.cdp.profile;

import static io.cdp.profile.ProfileTestSupport.ADMIN;
import static io.cdp.profile.ProfileTestSupport.awaitChange;
import static io.cdp.profile.ProfileTestSupport.awaitProfile;
import static io.cdp.profile.ProfileTestSupport.event;
import static io.cdp.profile.ProfileTestSupport.id;
import static io.cdp.profile.ProfileTestSupport.send;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cdp.contracts.profile.v1.ProfileChange;
import io.cdp.contracts.profile.v1.VisitTransition;
import io.cdp.localstack.LocalStackResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A visit ends on time alone. The visit timeout stays at its 30 minutes (so no other test's visit
 * is cut short on a slow machine); this test's event is dated 31 minutes ago instead, and the tests
 * scan every second.
 */
@QuarkusTest
@WithTestResource(LocalStackResource.class)
class VisitEndTest {

  @Test
  void anIdleVisitEndsWithoutANewEventAndFiresVisitEndedRules() {
    String ended = "ended_visits_" + UUID.randomUUID().toString().substring(0, 8);
    given()
        .header("Authorization", ADMIN)
        .contentType(ContentType.JSON)
        .body(
            """
            {"name": "%s", "type": "number",
             "enrichments": [{"timing": "visit ended", "op": "increment"}]}
            """
                .formatted(ended))
        .post("/v1/attributes")
        .then()
        .statusCode(201);

    String profileId = "p-" + UUID.randomUUID();
    String userId = "u-" + UUID.randomUUID();
    Instant idleSince = Instant.now().minus(Duration.ofMinutes(31));
    send(profileId, event("page", idleSince, "{}"), id("user_id", userId));

    ProfileChange change =
        awaitChange(
                c ->
                    c.getProfileId().equals(profileId)
                        && c.getVisitTransition() == VisitTransition.VISIT_ENDED)
            .value();
    assertEquals("visit_timeout", change.getCause());
    assertEquals(2, change.getVersion());
    assertTrue(change.getSnapshot().getVisit().getEnded());
    assertEquals(
        1.0, change.getSnapshot().getAttributes().getFieldsOrThrow(ended).getNumberValue());
    awaitProfile("user_id:" + userId, r -> Boolean.TRUE.equals(r.path("visit.ended")))
        .then()
        .body("attributes." + ended, equalTo(1))
        .body("visit.eventCount", equalTo(1));
  }
}
