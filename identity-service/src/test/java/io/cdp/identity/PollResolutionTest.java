package io.cdp.identity;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cdp.identity.IdentityResolver.Sighting;
import io.cdp.localstack.LocalStackResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.VertxContextSupport;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * One Kafka poll resolved at once ({@link IdentityResolver#resolveAll}): each event must get what
 * resolving the events one by one would give, a later event seeing an earlier one's links and
 * merges.
 */
@QuarkusTest
@WithTestResource(LocalStackResource.class)
class PollResolutionTest {

  @Inject IdentityResolver resolver;

  private List<Optional<Resolution>> resolveAll(List<Sighting> sightings) throws Throwable {
    return VertxContextSupport.subscribeAndAwait(() -> resolver.resolveAll(sightings));
  }

  private static Sighting sighting(String... identifiers) {
    return new Sighting(
        Arrays.stream(identifiers)
            .map(written -> written.split(":", 2))
            .map(parts -> new IdentifierRef(parts[0], parts[1]))
            .toList(),
        Instant.now());
  }

  @Test
  void eventsOfOnePollSeeTheLinksAndMergesOfTheEventsBeforeThem() throws Throwable {
    String a = "anonymous_id:" + RawEvents.fresh("a");
    String b = "anonymous_id:" + RawEvents.fresh("b");
    String user = "user_id:" + RawEvents.fresh("u");
    String known = "anonymous_id:" + RawEvents.fresh("k");
    String knownProfile =
        RawEvents.sendAndResolve(RawEvents.event("page", "", known.split(":", 2)[1], Map.of()));
    List<Sighting> poll =
        List.of(
            sighting(a), // a new visitor
            sighting(a), // and again
            sighting(user, a), // logs in: the user id joins a's profile
            sighting(b), // another new visitor
            sighting(user, b), // the same user: b's profile and a's merge
            sighting(b), // b now resolves to the survivor
            sighting(known)); // known before the poll

    List<Resolution> first = resolveAll(poll).stream().map(Optional::orElseThrow).toList();

    String profileA = first.get(0).profileId();
    String profileB = first.get(3).profileId();
    assertNotEquals(profileA, profileB);
    assertTrue(first.get(0).created());
    assertFalse(first.get(1).created());
    assertTrue(first.get(3).created());
    assertEquals(profileA, first.get(1).profileId());
    assertEquals(profileA, first.get(2).profileId());
    // Created at the same moment, the lower id survives (ResolutionRules).
    String survivor = profileA.compareTo(profileB) < 0 ? profileA : profileB;
    assertEquals(survivor, first.get(4).profileId());
    assertEquals(survivor, first.get(5).profileId());
    assertEquals(knownProfile, first.get(6).profileId());
    String merged = survivor.equals(profileA) ? profileB : profileA;
    assertEquals(1, MergeRecords.involving(merged).size());
    given()
        .header("Authorization", "Bearer test-admin-token")
        .get("/v1/identities/{id}", b)
        .then()
        .statusCode(200)
        .body("profileId", equalTo(survivor))
        .body("identifiers", containsInAnyOrder(user, a, b));

    // The same poll again (a redelivery) resolves every event to the survivor and merges nothing.
    List<Resolution> again = resolveAll(poll).stream().map(Optional::orElseThrow).toList();
    again.forEach(r -> assertEquals(r == again.get(6) ? knownProfile : survivor, r.profileId()));
    again.forEach(r -> assertFalse(r.created()));
    assertEquals(1, MergeRecords.involving(merged).size());
  }
}
