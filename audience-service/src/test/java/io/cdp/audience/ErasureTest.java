package io.cdp.audience;

import static io.cdp.audience.AudienceTestSupport.ADMIN;
import static io.cdp.audience.AudienceTestSupport.WAIT;
import static io.cdp.audience.AudienceTestSupport.awaitConsumed;
import static io.cdp.audience.AudienceTestSupport.awaitTransition;
import static io.cdp.audience.AudienceTestSupport.change;
import static io.cdp.audience.AudienceTestSupport.createAudience;
import static io.cdp.audience.AudienceTestSupport.eventually;
import static io.cdp.audience.AudienceTestSupport.transitionsOf;
import static io.cdp.audience.AudienceTestSupport.uniqueAttribute;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cdp.audience.messaging.PrivacyRequestConsumer;
import io.cdp.audience.store.MembershipSet;
import io.cdp.contracts.Topics;
import io.cdp.contracts.audience.v1.TransitionKind;
import io.cdp.contracts.consent.v1.PrivacyAck;
import io.cdp.contracts.consent.v1.PrivacyRequest;
import io.cdp.contracts.consent.v1.PrivacyRequestKind;
import io.cdp.contracts.kafka.Deserializers;
import io.cdp.localstack.KafkaProbe;
import io.cdp.localstack.LocalStackResource;
import io.quarkus.infinispan.client.Remote;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.util.List;
import java.util.UUID;
import org.infinispan.client.hotrod.RemoteCache;
import org.junit.jupiter.api.Test;

/** Privacy requests erase what the service holds for a person, silently, then are acknowledged. */
@QuarkusTest
@WithTestResource(LocalStackResource.class)
@WithTestResource(ProfileServiceResource.class)
class ErasureTest {

  @Inject Pool database;

  @Inject
  @Remote("memberships")
  RemoteCache<String, MembershipSet> memberships;

  @Test
  void anErasureDropsMembershipsAndIdentifiersPublishesNoLeaveAndIgnoresLaterChanges() {
    String attribute = uniqueAttribute("orders", "number");
    String audienceId =
        createAudience("Erasable buyers", "profile.attributes." + attribute + " >= 1");
    String profileId = "p-" + UUID.randomUUID();
    String email = "eve-" + UUID.randomUUID() + "@example.com";
    KafkaProbe.ofTestStack()
        .send(Topics.PROFILES_CHANGES, profileId, change(profileId, 1, attribute, 2, email));
    awaitTransition(profileId, audienceId, TransitionKind.JOINED, 1);
    eventually(() -> assertEquals(1, sizeOf(audienceId)));

    PrivacyAck ack = erase(profileId, "email:" + email);

    assertTrue(ack.getSuccess(), ack.getError());
    given()
        .header("Authorization", ADMIN)
        .get("/v1/memberships/email:" + email)
        .then()
        .statusCode(404)
        .body("error.code", equalTo("not_found"));
    assertEquals(0, sizeOf(audienceId));
    for (String table : List.of("memberships", "profile_identifiers", "profile_snapshots")) {
      assertEquals(0, rows(table, profileId), table + " holds nothing of the profile");
    }
    assertNull(memberships.get(profileId), "the hot copy is gone");

    // A change of the erased profile that arrives late, with a higher version, changes nothing.
    KafkaProbe.ofTestStack()
        .send(Topics.PROFILES_CHANGES, profileId, change(profileId, 2, attribute, 5, email));
    awaitConsumed(Topics.PROFILES_CHANGES);
    assertEquals(0, rows("memberships", profileId));
    assertEquals(0, rows("profile_identifiers", profileId));
    assertEquals(0, sizeOf(audienceId));
    assertEquals(
        List.of("JOINED@1"),
        transitionsOf(profileId).stream()
            .map(t -> t.getKind() + "@" + t.getProfileVersion())
            .toList(),
        "no leave for the erasure, no join for the late change");
  }

  @Test
  void anErasureFindsTheProfileByIdentifierWhenTheProfileIdIsStale() {
    String attribute = uniqueAttribute("orders", "number");
    String audienceId = createAudience("Erasable", "profile.attributes." + attribute + " >= 1");
    String profileId = "p-" + UUID.randomUUID();
    String email = "ivy-" + UUID.randomUUID() + "@example.com";
    KafkaProbe.ofTestStack()
        .send(Topics.PROFILES_CHANGES, profileId, change(profileId, 1, attribute, 2, email));
    awaitTransition(profileId, audienceId, TransitionKind.JOINED, 1);

    PrivacyAck ack = erase("p-stale-" + UUID.randomUUID(), "email:" + email.toUpperCase());

    assertTrue(ack.getSuccess(), ack.getError());
    assertEquals(0, rows("memberships", profileId));
    assertEquals(0, sizeOf(audienceId));
  }

  @Test
  void anErasureOfAnUnknownPersonIsAcknowledgedWithSuccess() {
    PrivacyAck ack =
        erase("p-" + UUID.randomUUID(), "email:nobody-" + UUID.randomUUID() + "@example.org");
    assertTrue(ack.getSuccess(), ack.getError());
  }

  /** Sends an erasure as the consent service does and returns this service's answer. */
  private static PrivacyAck erase(String profileId, String identifier) {
    String requestId = UUID.randomUUID().toString();
    KafkaProbe.ofTestStack()
        .send(
            Topics.PRIVACY_REQUESTS,
            requestId,
            PrivacyRequest.newBuilder()
                .setRequestId(requestId)
                .setKind(PrivacyRequestKind.ERASURE)
                .setIdentifier(identifier)
                .addIdentifiers(identifier)
                .setProfileId(profileId)
                .build());
    var record =
        KafkaProbe.ofTestStack()
            .await(
                Topics.PRIVACY_ACKS,
                new Deserializers.PrivacyAckDeserializer(),
                a ->
                    a.getRequestId().equals(requestId)
                        && a.getService().equals(PrivacyRequestConsumer.SERVICE),
                WAIT);
    assertEquals(requestId, record.key());
    assertEquals("audience-service", record.value().getService());
    return record.value();
  }

  private long rows(String table, String profileId) {
    return database
        .preparedQuery("select count(*) from audience." + table + " where profile_id = $1")
        .execute(Tuple.of(profileId))
        .await()
        .atMost(WAIT)
        .iterator()
        .next()
        .getLong(0);
  }

  private static int sizeOf(String audienceId) {
    return given()
        .header("Authorization", ADMIN)
        .get("/v1/audiences/" + audienceId)
        .then()
        .statusCode(200)
        .extract()
        .path("size");
  }
}
