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
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
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
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
    throw new AssertionError(
        "Profile " + identifier + " not as expected within " + WAIT + "; last: " + last.asString());
  }

  static ConsumerRecord<String, ProfileChange> awaitChange(Predicate<ProfileChange> match) {
    return KafkaProbe.ofTestStack()
        .await(Topics.PROFILES_CHANGES, new Deserializers.ProfileChangeDeserializer(), match, WAIT);
  }

  private ProfileTestSupport() {}
}
