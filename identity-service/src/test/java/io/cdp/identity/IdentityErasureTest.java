package io.cdp.identity;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cdp.contracts.Topics;
import io.cdp.contracts.collector.v1.RawEvent;
import io.cdp.contracts.consent.v1.PrivacyAck;
import io.cdp.contracts.consent.v1.PrivacyRequest;
import io.cdp.contracts.consent.v1.PrivacyRequestKind;
import io.cdp.contracts.identity.v1.Identifier;
import io.cdp.contracts.identity.v1.Identity;
import io.cdp.contracts.identity.v1.LookupRequest;
import io.cdp.contracts.identity.v1.ResolveRequest;
import io.cdp.contracts.identity.v1.ResolvedEvent;
import io.cdp.contracts.kafka.Deserializers;
import io.cdp.identity.store.SuppressedIdentifier;
import io.cdp.localstack.KafkaProbe;
import io.cdp.localstack.LocalStackResource;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Erasure requests from {@code cdp.privacy.requests}: the person leaves the graph, the service
 * acknowledges on {@code cdp.privacy.acks}, and later events carrying their identifiers are
 * dropped.
 */
@QuarkusTest
@WithTestResource(LocalStackResource.class)
class IdentityErasureTest {

  private static final String ADMIN = "Bearer test-admin-token";
  private static final Duration WAIT = Duration.ofSeconds(30);

  /** The value; an exemplar (trace id) may follow it. */
  private static final Pattern SUPPRESSED =
      Pattern.compile("(?m)^cdp_identity_events_suppressed_total(?:\\{[^}]*})? (\\S+)");

  @Inject Pool database;

  @GrpcClient("identity")
  Identity identity;

  private static PrivacyAck ack(String requestId, int nth) {
    AtomicInteger seen = new AtomicInteger();
    return KafkaProbe.ofTestStack()
        .await(
            Topics.PRIVACY_ACKS,
            new Deserializers.PrivacyAckDeserializer(),
            a ->
                a.getRequestId().equals(requestId)
                    && a.getService().equals("identity-service")
                    && seen.incrementAndGet() == nth,
            WAIT)
        .value();
  }

  private static double suppressedCount() {
    String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
    Matcher m = SUPPRESSED.matcher(metrics);
    assertTrue(m.find(), "cdp_identity_events_suppressed_total is not in " + metrics);
    return Double.parseDouble(m.group(1));
  }

  private long count(String sql, Object... params) {
    return database
        .preparedQuery(sql)
        .execute(Tuple.from(params))
        .await()
        .atMost(WAIT)
        .iterator()
        .next()
        .getLong(0);
  }

  @Test
  void anErasedPersonLeavesTheGraphAndTheirLaterEventsAreDropped() {
    String anon = RawEvents.fresh("a");
    String otherDevice = RawEvents.fresh("a");
    String user = RawEvents.fresh("u");
    String email = user + "@example.com";
    String profileId =
        RawEvents.sendAndResolve(
            RawEvents.event("identify", user, anon, Map.of("traits", Map.of("email", email))));
    // A second device's profile merged into the person's: erased with it.
    String merged = RawEvents.sendAndResolve(RawEvents.event("page", "", otherDevice, Map.of()));
    assertNotEquals(profileId, merged);
    assertEquals(
        profileId,
        RawEvents.sendAndResolve(RawEvents.event("identify", user, otherDevice, Map.of())));
    List<String> erased =
        List.of(
            "user_id:" + user,
            "email:" + email,
            "anonymous_id:" + anon,
            "anonymous_id:" + otherDevice);

    String requestId = RawEvents.fresh("erasure");
    PrivacyRequest request =
        PrivacyRequest.newBuilder()
            .setRequestId(requestId)
            .setKind(PrivacyRequestKind.ERASURE)
            .setIdentifier("email:" + email.toUpperCase())
            .addAllIdentifiers(erased)
            .setProfileId(profileId)
            .build();
    KafkaProbe.ofTestStack().send(Topics.PRIVACY_REQUESTS, requestId, request);
    PrivacyAck ack = ack(requestId, 1);
    assertTrue(ack.getSuccess(), ack.getError());

    for (String identifier : erased) {
      given()
          .header("Authorization", ADMIN)
          .get("/v1/identities/{id}", identifier)
          .then()
          .statusCode(404);
    }
    for (String id : List.of(profileId, merged)) {
      given()
          .header("Authorization", ADMIN)
          .get("/v1/identities/{id}", "profile_id:" + id)
          .then()
          .statusCode(404);
    }
    String lookedUp =
        identity
            .lookup(
                LookupRequest.newBuilder()
                    .setIdentifier(Identifier.newBuilder().setType("user_id").setValue(user))
                    .build())
            .await()
            .atMost(WAIT)
            .getProfileId();
    assertEquals("", lookedUp);

    Object[] values = {user, email, anon, otherDevice};
    assertEquals(
        0, count("SELECT count(*) FROM identity.identifiers WHERE value IN ($1,$2,$3,$4)", values));
    assertEquals(
        0, count("SELECT count(*) FROM identity.profiles WHERE id IN ($1,$2)", profileId, merged));
    assertEquals(
        0,
        count(
            "SELECT count(*) FROM identity.merged_profiles WHERE merged_id IN ($1,$2)"
                + " OR survivor_id IN ($1,$2)",
            profileId,
            merged));
    Object[] hashes =
        erased.stream()
            .map(k -> k.split(":", 2))
            .map(k -> SuppressedIdentifier.hashOf(new IdentifierRef(k[0], k[1])))
            .toArray();
    assertEquals(
        4,
        count(
            "SELECT count(*) FROM identity.suppressed_identifiers WHERE hash IN ($1,$2,$3,$4)",
            hashes));

    // A later event with the erased email is dropped. The next event has the same key, so it is
    // on the same partition and handled after it: once it is resolved, the first one was handled.
    double before = suppressedCount();
    String newDevice = RawEvents.fresh("a");
    RawEvent withErasedEmail =
        RawEvents.event("identify", "", newDevice, Map.of("traits", Map.of("email", email)));
    RawEvent unrelated = RawEvents.event("page", "", newDevice, Map.of());
    RawEvents.send(withErasedEmail);
    RawEvents.send(unrelated);
    RawEvents.resolved(unrelated, 1);
    List<ResolvedEvent> dropped =
        TopicRecords.upToNow(
            Topics.EVENTS_RESOLVED,
            new Deserializers.ResolvedEventDeserializer(),
            r -> r.getEvent().getMessageId().equals(withErasedEmail.getMessageId()));
    assertEquals(List.of(), dropped);
    assertEquals(before + 1, suppressedCount());
    given()
        .header("Authorization", ADMIN)
        .get("/v1/identities/{id}", "email:" + email)
        .then()
        .statusCode(404);

    StatusRuntimeException refused =
        assertThrows(
            StatusRuntimeException.class,
            () ->
                identity
                    .resolve(
                        ResolveRequest.newBuilder()
                            .addIdentifiers(
                                Identifier.newBuilder().setType("user_id").setValue(user))
                            .build())
                    .await()
                    .atMost(WAIT));
    assertEquals(Status.Code.FAILED_PRECONDITION, refused.getStatus().getCode());

    // The same request again deletes nothing more and succeeds again.
    KafkaProbe.ofTestStack().send(Topics.PRIVACY_REQUESTS, requestId, request);
    PrivacyAck again = ack(requestId, 2);
    assertTrue(again.getSuccess(), again.getError());
    assertEquals(
        4,
        count(
            "SELECT count(*) FROM identity.suppressed_identifiers WHERE hash IN ($1,$2,$3,$4)",
            hashes));
  }
}
