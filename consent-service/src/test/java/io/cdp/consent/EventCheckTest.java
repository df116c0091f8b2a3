package io.cdp.consent;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.ByteString;
import com.google.protobuf.MessageLite;
import io.cdp.contracts.Topics;
import io.cdp.contracts.collector.v1.RawEvent;
import io.cdp.contracts.consent.v1.CheckRequest;
import io.cdp.contracts.consent.v1.CheckResponse;
import io.cdp.contracts.consent.v1.Consent;
import io.cdp.contracts.consent.v1.EventPosition;
import io.cdp.contracts.identity.v1.Identifier;
import io.cdp.contracts.identity.v1.IdentityMerge;
import io.cdp.contracts.identity.v1.ResolvedEvent;
import io.cdp.contracts.kafka.ProtoSerializer;
import io.cdp.localstack.LocalStackResource;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.smallrye.reactive.messaging.ChannelRegistry;
import io.smallrye.reactive.messaging.PausableChannel;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * Checks caused by an event ({@code after_event}) against the real stack: the connector reads
 * {@code cdp.events.resolved} on its own, so this service's reading of it is paused here to play a
 * consent service that lags behind.
 */
@QuarkusTest
@WithTestResource(LocalStackResource.class)
class EventCheckTest {

  private static final Duration TEN_SECONDS = Duration.ofSeconds(10);

  @GrpcClient("consent")
  Consent consent;

  @Inject ChannelRegistry channels;

  @Test
  void aCheckCausedByAnEventAnswersOnlyOnceTheConsentThatEventCarriesIsApplied() throws Exception {
    String profileId = UUID.randomUUID().toString();
    chooseAdvertising("profile:" + profileId, true);

    PausableChannel events = channels.getPausable("events-resolved");
    CompletableFuture<CheckResponse> waiting;
    RecordMetadata withdrawal;
    events.pause();
    try {
      withdrawal = send(profileId, "{\"Advertising\":false}");
      // Without the event the answer would still be the grant: it fails instead (and is retried)
      StatusRuntimeException notYet =
          assertThrows(
              StatusRuntimeException.class,
              () -> consent.check(after(profileId, withdrawal)).await().atMost(TEN_SECONDS));
      assertEquals(Status.Code.UNAVAILABLE, notYet.getStatus().getCode());
      waiting = consent.check(after(profileId, withdrawal)).subscribeAsCompletionStage();
    } finally {
      events.resume();
    }
    assertEquals(false, waiting.get(10, TimeUnit.SECONDS).getAllowedOrThrow("advertising"));
    // Once applied, a check for the same event or an earlier one answers at once
    assertEquals(
        false,
        consent
            .check(after(profileId, withdrawal))
            .await()
            .atMost(TEN_SECONDS)
            .getAllowedOrThrow("advertising"));
  }

  @Test
  void checksOfANewProfileShareOneLookupAndAnIdentifierAnEventLinksNeedsNoOther() throws Exception {
    String profileId = UUID.randomUUID().toString();
    String anonymous = "anonymous_id:" + profileId;
    String email = "email:" + profileId + "@example.com";
    IdentityDouble.person(profileId, List.of(anonymous));
    RecordMetadata first = send(profileId, List.of(anonymous), "{\"type\":\"page\"}");
    // A delivery per connector, checked at once: they share one lookup
    List<CompletableFuture<CheckResponse>> checks = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      checks.add(consent.check(after(profileId, first)).subscribeAsCompletionStage());
    }
    for (CompletableFuture<CheckResponse> check : checks) {
      assertEquals(false, check.get(10, TimeUnit.SECONDS).getAllowedOrThrow("advertising"));
    }
    assertEquals(1, IdentityDouble.lookups("profile_id:" + profileId));

    // The email chose before it was linked; the identity service links it and says so in an event
    chooseAdvertising(email, true);
    IdentityDouble.person(profileId, List.of(anonymous, email));
    RecordMetadata linking = send(profileId, List.of(email), "{\"type\":\"identify\"}");
    assertEquals(true, advertising(after(profileId, linking)));
    // Learned from the event: still the one lookup
    assertEquals(1, IdentityDouble.lookups("profile_id:" + profileId));
  }

  @Test
  void theFirstCheckOfANewProfileAsksNoOneAndCountsConsentGivenUnderItsIdentifiers()
      throws Exception {
    String profileId = UUID.randomUUID().toString();
    String anonymous = "anonymous_id:" + profileId;
    String email = "email:" + profileId + "@example.com";
    // Consent given under the email (a sign-up form) before the visitor's first event
    chooseAdvertising(email, true);
    // The identity double does not know the profile: a lookup would find no one
    RecordMetadata creating =
        send(profileId, List.of(anonymous, email), "{\"type\":\"page\"}", true, Instant.now());
    assertEquals(true, advertising(after(profileId, creating)));

    // A later event links another identifier, which chose otherwise more recently: learned too
    String user = "user_id:" + profileId;
    chooseAdvertising(user, false);
    RecordMetadata linking =
        send(profileId, List.of(user), "{\"type\":\"identify\"}", false, Instant.now());
    assertEquals(false, advertising(after(profileId, linking)));
    assertEquals(0, IdentityDouble.lookups("profile_id:" + profileId));
  }

  @Test
  void aCreationReadLongAfterItWasWrittenIsNotTrustedForWhoTheProfileIsNow() throws Exception {
    String profileId = UUID.randomUUID().toString();
    String anonymous = "anonymous_id:" + profileId;
    String email = "email:" + profileId + "@example.com";
    // Since its creation an hour ago, the profile was merged with one whose email granted
    chooseAdvertising(email, true);
    IdentityDouble.person(profileId, List.of(anonymous, email));
    Instant anHourAgo = Instant.now().minus(Duration.ofHours(1));
    RecordMetadata replayed =
        send(profileId, List.of(anonymous), "{\"type\":\"page\"}", true, anHourAgo);
    assertEquals(true, advertising(after(profileId, replayed)));
    assertEquals(1, IdentityDouble.lookups("profile_id:" + profileId));
  }

  @Test
  void aMergeCountsAtOnceForTheChecksOfTheMergedProfile() throws Exception {
    String visitor = UUID.randomUUID().toString();
    String customer = UUID.randomUUID().toString();
    String anonymous = "anonymous_id:" + visitor;
    String email = "email:" + customer + "@example.com";
    chooseAdvertising(email, true);
    IdentityDouble.person(customer, List.of(email));
    RecordMetadata creating =
        send(visitor, List.of(anonymous), "{\"type\":\"page\"}", true, Instant.now());
    assertEquals(false, advertising(after(visitor, creating)));

    // The visitor logs in as the customer: the identity service merges the visitor's profile
    IdentityDouble.person(customer, List.of(email, anonymous));
    IdentityDouble.merged(visitor, customer);
    mergeInto(customer, visitor);
    // Well within the 30 s the visitor's person is otherwise cached for
    long deadline = System.nanoTime() + TEN_SECONDS.toNanos();
    CheckRequest check =
        CheckRequest.newBuilder().setProfileId(visitor).addPurposes("advertising").build();
    while (!advertising(check) && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertEquals(true, advertising(check));
  }

  @Test
  void consentAMergedProfileGaveCountsForTheSurvivorAndNewerChoicesStillWin() throws Exception {
    String visitor = UUID.randomUUID().toString();
    String customer = UUID.randomUUID().toString();
    String email = "email:" + customer + "@example.com";
    IdentityDouble.person(customer, List.of(email));
    // The visitor's events grant advertising and withdraw analytics (stored under its profile)...
    RecordMetadata choosing = send(visitor, "{\"Advertising\":true,\"Analytics\":false}");
    assertEquals(true, advertising(after(visitor, choosing)));
    // ...then the customer withdraws advertising under their email
    chooseAdvertising(email, false);
    CheckRequest check =
        CheckRequest.newBuilder()
            .setProfileId(customer)
            .addPurposes("advertising")
            .addPurposes("analytics")
            .build();
    assertEquals(Map.of("advertising", false, "analytics", true), allowed(check));

    // The visitor logs in as the customer; the customer's Lookup does not name the visitor's
    // profile
    IdentityDouble.merged(visitor, customer);
    mergeInto(customer, visitor);
    long deadline = System.nanoTime() + TEN_SECONDS.toNanos();
    while (allowed(check).get("analytics") && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    // The visitor's withdrawal of analytics now counts; its older grant of advertising does not
    assertEquals(Map.of("advertising", false, "analytics", false), allowed(check));
  }

  /** Writes the merge of {@code merged} into {@code survivor} as the identity service would. */
  private static void mergeInto(String survivor, String merged) throws Exception {
    write(
        Topics.IDENTITY_MERGES,
        survivor,
        IdentityMerge.newBuilder()
            .setMergeId(UUID.randomUUID().toString())
            .setSurvivingProfileId(survivor)
            .addMergedProfileIds(merged)
            .build(),
        Instant.now());
  }

  private Map<String, Boolean> allowed(CheckRequest request) {
    return consent.check(request).await().atMost(TEN_SECONDS).getAllowedMap();
  }

  /** Sets the subject's choice for advertising through the API, as a consent banner would. */
  private static void chooseAdvertising(String identifier, boolean allowed) {
    given()
        .header("Authorization", "Bearer test-admin-token")
        .contentType(ContentType.JSON)
        .body(Map.of("purposes", Map.of("advertising", allowed)))
        .put("/v1/consent/{identifier}", identifier)
        .then()
        .statusCode(200);
  }

  private boolean advertising(CheckRequest request) {
    return consent.check(request).await().atMost(TEN_SECONDS).getAllowedOrThrow("advertising");
  }

  private static CheckRequest after(String profileId, RecordMetadata event) {
    return CheckRequest.newBuilder()
        .setProfileId(profileId)
        .addPurposes("advertising")
        .setAfterEvent(
            EventPosition.newBuilder().setPartition(event.partition()).setOffset(event.offset()))
        .build();
  }

  /** Writes an event of the profile carrying Segment consent categories; returns where it went. */
  private static RecordMetadata send(String profileId, String preferences) throws Exception {
    return send(
        profileId,
        List.of(),
        "{\"type\":\"track\",\"event\":\"Consent Updated\",\"context\":"
            + "{\"consent\":{\"categoryPreferences\":"
            + preferences
            + "}}}");
  }

  /**
   * Writes an event of the profile with {@code identifiers} (type:value); returns where it went.
   */
  private static RecordMetadata send(String profileId, List<String> identifiers, String payload)
      throws Exception {
    return send(profileId, identifiers, payload, false, Instant.now());
  }

  /**
   * Writes an event of the profile, which created it if {@code created}, with {@code identifiers}
   * (type:value) and the record timestamp {@code writtenAt}; returns where it went.
   */
  private static RecordMetadata send(
      String profileId,
      List<String> identifiers,
      String payload,
      boolean created,
      Instant writtenAt)
      throws Exception {
    ResolvedEvent.Builder event =
        ResolvedEvent.newBuilder()
            .setProfileId(profileId)
            .setProfileCreated(created)
            .setEvent(
                RawEvent.newBuilder()
                    .setMessageId(UUID.randomUUID().toString())
                    .setType("track")
                    .setPayloadJson(ByteString.copyFromUtf8(payload)));
    identifiers.forEach(
        id -> {
          int colon = id.indexOf(':');
          event.addIdentifiers(
              Identifier.newBuilder()
                  .setType(id.substring(0, colon))
                  .setValue(id.substring(colon + 1)));
        });
    return write(Topics.EVENTS_RESOLVED, profileId, event.build(), writtenAt);
  }

  /** Writes {@code message} to {@code topic} with the record timestamp {@code writtenAt}. */
  private static RecordMetadata write(
      String topic, String key, MessageLite message, Instant writtenAt) throws Exception {
    Map<String, Object> config =
        Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
            LocalStackResource.kafkaBootstrapServers(),
            ProducerConfig.ACKS_CONFIG,
            "all");
    try (var producer =
        new KafkaProducer<String, MessageLite>(
            config, new StringSerializer(), new ProtoSerializer())) {
      return producer
          .send(new ProducerRecord<>(topic, null, writtenAt.toEpochMilli(), key, message))
          .get();
    }
  }
}
