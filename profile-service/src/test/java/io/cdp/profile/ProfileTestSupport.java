package io.cdp.profile;

import static io.restassured.RestAssured.given;

import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import io.cdp.contracts.Topics;
import io.cdp.contracts.collector.v1.RawEvent;
import io.cdp.contracts.identity.v1.Identifier;
import io.cdp.contracts.identity.v1.ResolvedEvent;
import io.cdp.contracts.kafka.Deserializers;
import io.cdp.contracts.profile.v1.ProfileChange;
import io.cdp.localstack.KafkaProbe;
import io.restassured.response.Response;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** Events in and profiles out, as the service's tests drive them. */
final class ProfileTestSupport {

  static final String ADMIN = "Bearer test-admin-token";
  static final Duration WAIT = Duration.ofSeconds(30);

  static Identifier id(String type, String value) {
    return Identifier.newBuilder().setType(type).setValue(value).build();
  }

  /** A RawEvent as the collector writes it, with a fresh messageId. */
  static RawEvent event(String type, Instant at, String payloadJson) {
    return RawEvent.newBuilder()
        .setMessageId("m-" + UUID.randomUUID())
        .setSourceId("test-source")
        .setType(type)
        .setTimestamp(Timestamp.newBuilder().setSeconds(at.getEpochSecond()).setNanos(at.getNano()))
        .setReceivedAt(Timestamp.newBuilder().setSeconds(at.getEpochSecond()))
        .setPayloadJson(ByteString.copyFrom(payloadJson, StandardCharsets.UTF_8))
        .build();
  }

  /** Writes the event to cdp.events.resolved as identity resolution would. */
  static void send(String profileId, RawEvent event, Identifier... identifiers) {
    ResolvedEvent resolved =
        ResolvedEvent.newBuilder()
            .setProfileId(profileId)
            .addAllIdentifiers(List.of(identifiers))
            .setEvent(event)
            .build();
    KafkaProbe.ofTestStack().send(Topics.EVENTS_RESOLVED, profileId, resolved);
  }

  /** Polls the REST lookup until it answers 200 with a body that satisfies {@code done}. */
  static Response awaitProfile(String identifier, Predicate<Response> done) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    Response last = null;
    while (System.nanoTime() < deadline) {
      last = given().header("Authorization", ADMIN).get("/v1/profiles/" + identifier);
      if (last.statusCode() == 200 && done.test(last)) {
        return last;
      }
      pause();
    }
    throw new AssertionError(
        "Profile " + identifier + " not as expected within " + WAIT + "; last: " + last.asString());
  }

  /** The profile has counted {@code count} events; false while the attribute is not there yet. */
  static Predicate<Response> eventCount(int count) {
    return r -> Objects.equals(r.path("attributes.event_count"), count);
  }

  /** Polls PostgreSQL until the profile's row has {@code version}. */
  static void awaitStoredVersion(Pool database, String profileId, long version) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    Long stored = null;
    while (System.nanoTime() < deadline) {
      stored = storedVersion(database, profileId);
      if (stored != null && stored == version) {
        return;
      }
      pause();
    }
    throw new AssertionError(
        "Row of " + profileId + " not at version " + version + " within " + WAIT + ": " + stored);
  }

  /** The version of the profile's row in PostgreSQL; null if there is no row. */
  static Long storedVersion(Pool database, String profileId) {
    RowSet<Row> rows =
        database
            .preparedQuery("SELECT version FROM profile.profiles WHERE id = $1")
            .execute(Tuple.of(profileId))
            .await()
            .atMost(WAIT);
    return rows.size() == 0 ? null : rows.iterator().next().getLong(0);
  }

  /** How many identifier index rows in PostgreSQL point at the profile. */
  static long storedIdentifiers(Pool database, String profileId) {
    return database
        .preparedQuery("SELECT count(*) FROM profile.profile_identifiers WHERE profile_id = $1")
        .execute(Tuple.of(profileId))
        .await()
        .atMost(WAIT)
        .iterator()
        .next()
        .getLong(0);
  }

  static ConsumerRecord<String, ProfileChange> awaitChange(Predicate<ProfileChange> match) {
    return KafkaProbe.ofTestStack()
        .await(Topics.PROFILES_CHANGES, new Deserializers.ProfileChangeDeserializer(), match, WAIT);
  }

  /** The pause between two polls. */
  static void pause() {
    try {
      Thread.sleep(200);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private ProfileTestSupport() {}
}
