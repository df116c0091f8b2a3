package io.cdp.profile;

import static io.cdp.profile.ProfileTestSupport.awaitChange;
import static io.cdp.profile.ProfileTestSupport.awaitProfile;
import static io.cdp.profile.ProfileTestSupport.event;
import static io.cdp.profile.ProfileTestSupport.eventCount;
import static io.cdp.profile.ProfileTestSupport.id;
import static io.cdp.profile.ProfileTestSupport.send;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.cdp.contracts.Topics;
import io.cdp.contracts.identity.v1.IdentitySplit;
import io.cdp.contracts.profile.v1.ProfileChange;
import io.cdp.localstack.KafkaProbe;
import io.cdp.localstack.LocalStackResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Identity splits (detach) move identifiers to a new profile, on the real stack. */
@QuarkusTest
@WithTestResource(LocalStackResource.class)
class SplitsTest {

  @Test
  void aDetachedIdentifierFindsItsNewProfileAndTheOldOneKeepsItsData() {
    String person = "p-" + UUID.randomUUID();
    String own = "p-" + UUID.randomUUID();
    String userId = "u-" + UUID.randomUUID();
    String anonymousId = "a-" + UUID.randomUUID();
    send(
        person,
        event("identify", Instant.now(), "{\"traits\":{\"name\":\"Ann\"}}"),
        id("user_id", userId),
        id("anonymous_id", anonymousId));
    awaitProfile("anonymous_id:" + anonymousId, r -> person.equals(r.path("profileId")));

    String splitId = "s-" + UUID.randomUUID();
    IdentitySplit split =
        IdentitySplit.newBuilder()
            .setSplitId(splitId)
            .setFromProfileId(person)
            .setToProfileId(own)
            .addIdentifiers(id("anonymous_id", anonymousId))
            .build();
    KafkaProbe.ofTestStack().send(Topics.IDENTITY_SPLITS, person, split);

    awaitProfile("anonymous_id:" + anonymousId, r -> own.equals(r.path("profileId")))
        .then()
        .body("identifiers", equalTo(List.of("anonymous_id:" + anonymousId)))
        .body("traits.name", equalTo(null));
    awaitProfile("user_id:" + userId, r -> person.equals(r.path("profileId")))
        .then()
        .body("identifiers", equalTo(List.of("user_id:" + userId)))
        .body("traits.name", equalTo("Ann"));
    ProfileChange left =
        awaitChange(c -> c.getProfileId().equals(person) && c.getCause().equals(splitId)).value();
    assertEquals(List.of("identifiers"), left.getChangedList());
    ProfileChange created =
        awaitChange(c -> c.getProfileId().equals(own) && c.getCause().equals(splitId)).value();
    assertEquals(1, created.getVersion());

    // Redelivered: nothing changes; the new profile's events land on it.
    KafkaProbe.ofTestStack().send(Topics.IDENTITY_SPLITS, person, split);
    send(own, event("page", Instant.now(), "{}"), id("anonymous_id", anonymousId));
    awaitProfile("anonymous_id:" + anonymousId, eventCount(1))
        .then()
        .body("profileId", equalTo(own));
  }
}
