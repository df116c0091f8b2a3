package io.cdp.identity;

import static io.restassured.RestAssured.given;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import io.cdp.contracts.Topics;
import io.cdp.contracts.collector.v1.RawEvent;
import io.cdp.contracts.identity.v1.ResolvedEvent;
import io.cdp.contracts.kafka.Deserializers;
import io.cdp.localstack.KafkaProbe;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** Raw events as the collector writes them, and the resolved events the service answers with. */
final class RawEvents {

  private static final ObjectMapper JSON = new ObjectMapper();

  private RawEvents() {}

  /** A raw event; {@code extra} is merged into the Segment JSON (traits, context...). */
  static RawEvent event(String type, String userId, String anonymousId, Map<String, ?> extra) {
    String messageId = "m-" + UUID.randomUUID();
    Map<String, Object> json = new HashMap<>(extra);
    json.put("type", type);
    json.put("messageId", messageId);
    if (!userId.isEmpty()) {
      json.put("userId", userId);
    }
    if (!anonymousId.isEmpty()) {
      json.put("anonymousId", anonymousId);
    }
    Instant now = Instant.now();
    Timestamp ts =
        Timestamp.newBuilder().setSeconds(now.getEpochSecond()).setNanos(now.getNano()).build();
    try {
      return RawEvent.newBuilder()
          .setMessageId(messageId)
          .setSourceId("src-test")
          .setType(type)
          .setUserId(userId)
          .setAnonymousId(anonymousId)
          .setTimestamp(ts)
          .setReceivedAt(ts)
          .setPayloadJson(ByteString.copyFrom(JSON.writeValueAsBytes(json)))
          .build();
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A value no other test uses: {@code prefix} and a random UUID. */
  static String fresh(String prefix) {
    return prefix + "-" + UUID.randomUUID();
  }

  /** Sends the event and answers the profile it was resolved to. */
  static String sendAndResolve(RawEvent event) {
    send(event);
    return resolved(event, 1).value().getProfileId();
  }

  /** The profile id {@code GET /v1/identities/{type}:{value}} answers (which must be 200). */
  static String profileIdOf(String identifier) {
    return given()
        .header("Authorization", "Bearer test-admin-token")
        .get("/v1/identities/{id}", identifier)
        .then()
        .statusCode(200)
        .extract()
        .path("profileId");
  }

  /** Writes the event to cdp.events.raw keyed as the collector keys it. */
  static void send(RawEvent event) {
    String key = event.getUserId().isEmpty() ? event.getAnonymousId() : event.getUserId();
    KafkaProbe.ofTestStack().send(Topics.EVENTS_RAW, key, event);
  }

  /** The {@code nth} (1-based) resolved record of this event on cdp.events.resolved. */
  static ConsumerRecord<String, ResolvedEvent> resolved(RawEvent event, int nth) {
    AtomicInteger seen = new AtomicInteger();
    return KafkaProbe.ofTestStack()
        .await(
            Topics.EVENTS_RESOLVED,
            new Deserializers.ResolvedEventDeserializer(),
            r ->
                r.getEvent().getMessageId().equals(event.getMessageId())
                    && seen.incrementAndGet() == nth,
            Duration.ofSeconds(30));
  }
}
