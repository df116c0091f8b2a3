package io.cdp.collector.messaging;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import io.cdp.collector.EventBatch.Accepted;
import io.cdp.collector.SegmentEvents;
import io.cdp.common.messaging.KafkaMessages;
import io.cdp.contracts.ProtoTime;
import io.cdp.contracts.collector.v1.RawEvent;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.List;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * Writes accepted events to {@code cdp.events.raw}. The returned Uni completes only when the broker
 * has acknowledged every event (acks=all), which is when the API may answer 200.
 */
@ApplicationScoped
public class RawEventPublisher {

  private final MutinyEmitter<RawEvent> emitter;

  public RawEventPublisher(@Channel("events-raw") MutinyEmitter<RawEvent> emitter) {
    this.emitter = emitter;
  }

  /** Publishes normalised events of one source; fails if any is not acknowledged. */
  public Uni<Void> publish(String sourceId, List<Accepted> events) {
    List<Uni<Void>> sends =
        events.stream()
            .map(event -> toRecord(sourceId, event))
            .map(record -> emitter.sendMessage(message(record)))
            .toList();
    return Uni.join().all(sends).andFailFast().replaceWithVoid();
  }

  /** Keyed by the best identifier so one visitor's events share a partition, in order. */
  private static Message<RawEvent> message(RawEvent event) {
    String key = event.getUserId().isEmpty() ? event.getAnonymousId() : event.getUserId();
    return KafkaMessages.keyed(key, event);
  }

  private static RawEvent toRecord(String sourceId, Accepted accepted) {
    ObjectNode event = accepted.event();
    return RawEvent.newBuilder()
        .setMessageId(event.get("messageId").asText())
        .setSourceId(sourceId)
        .setType(event.get("type").asText())
        .setEvent(orEmpty(SegmentEvents.textOrNull(event, "event")))
        .setUserId(orEmpty(SegmentEvents.textOrNull(event, "userId")))
        .setAnonymousId(orEmpty(SegmentEvents.textOrNull(event, "anonymousId")))
        .setTimestamp(ProtoTime.timestamp(Instant.parse(event.get("timestamp").asText())))
        .setReceivedAt(ProtoTime.timestamp(Instant.parse(event.get("receivedAt").asText())))
        .setPayloadJson(ByteString.copyFrom(accepted.payload()))
        .build();
  }

  private static String orEmpty(String s) {
    return s == null ? "" : s;
  }
}
