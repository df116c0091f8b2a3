package io.cdp.collector.messaging;

import com.google.protobuf.MessageLite;
import com.google.protobuf.UnsafeByteOperations;
import io.cdp.collector.EventBatch.Accepted;
import io.cdp.collector.config.CollectorConfig;
import io.cdp.common.VertxContexts;
import io.cdp.common.messaging.TraceHeaders;
import io.cdp.contracts.ProtoTime;
import io.cdp.contracts.Topics;
import io.cdp.contracts.collector.v1.RawEvent;
import io.cdp.contracts.kafka.ProtoSerializer;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.Config;

/**
 * Writes accepted events to {@code cdp.events.raw}. The returned Uni completes only when the broker
 * has acknowledged every event of the request (acks=all), which is when the API may answer 200.
 *
 * <p>Why a plain Kafka producer and not a messaging emitter: the hot path of the suite sends a
 * hundred records per request, and per-record emitter messages (context capture, a tracing span
 * each, several thread hops) cost more CPU than the rest of the request. Here a request's records
 * are handed to the producer in one go on one sending thread (a send may block on metadata or a
 * full buffer, never the event loop), one counter waits for their acknowledgements, and the
 * request's W3C trace context is written into each record's headers so the trace continues in the
 * identity service.
 */
@ApplicationScoped
public class RawEventPublisher {

  /** The suite's shared Kafka settings (acks=all, idempotence, linger), in the order they apply. */
  private static final List<String> SHARED_PREFIXES =
      List.of("kafka.", "mp.messaging.connector.smallrye-kafka.");

  private final Producer<String, MessageLite> producer;
  private final ExecutorService sender;
  private final TextMapPropagator propagator;

  public RawEventPublisher(Config config, CollectorConfig collector, OpenTelemetry telemetry) {
    Map<String, Object> settings = new HashMap<>();
    for (String prefix : SHARED_PREFIXES) {
      for (String key : config.getPropertyNames()) {
        String name = key.substring(Math.min(prefix.length(), key.length()));
        if (key.startsWith(prefix) && ProducerConfig.configNames().contains(name)) {
          config.getOptionalValue(key, String.class).ifPresent(value -> settings.put(name, value));
        }
      }
    }
    settings.putAll(collector.producer());
    settings.put(ProducerConfig.CLIENT_ID_CONFIG, "collector-events-raw");
    this.producer = new KafkaProducer<>(settings, new StringSerializer(), new ProtoSerializer());
    this.sender = Executors.newSingleThreadExecutor(r -> new Thread(r, "events-raw-sender"));
    this.propagator = telemetry.getPropagators().getTextMapPropagator();
  }

  /** Publishes normalised events of one source; fails if any is not acknowledged. */
  public Uni<Void> publish(String sourceId, List<Accepted> events) {
    Context trace = Context.current();
    List<ProducerRecord<String, MessageLite>> records =
        events.stream().map(event -> record(sourceId, event, trace)).toList();
    return VertxContexts.onCallerContext(() -> send(records));
  }

  @PreDestroy
  void close() {
    sender.shutdown();
    producer.close(Duration.ofSeconds(5));
  }

  private CompletionStage<Void> send(List<ProducerRecord<String, MessageLite>> records) {
    CompletableFuture<Void> acknowledged = new CompletableFuture<>();
    AtomicInteger waiting = new AtomicInteger(records.size());
    sender.execute(
        () -> {
          for (ProducerRecord<String, MessageLite> record : records) {
            try {
              producer.send(
                  record,
                  (metadata, error) -> {
                    if (error != null) {
                      acknowledged.completeExceptionally(error);
                    } else if (waiting.decrementAndGet() == 0) {
                      acknowledged.complete(null);
                    }
                  });
            } catch (RuntimeException e) {
              acknowledged.completeExceptionally(e);
              return;
            }
          }
        });
    return acknowledged;
  }

  /** Keyed by the best identifier so one visitor's events share a partition, in order. */
  private ProducerRecord<String, MessageLite> record(
      String sourceId, Accepted accepted, Context trace) {
    RawEvent event = toRawEvent(sourceId, accepted);
    String key = event.getUserId().isEmpty() ? event.getAnonymousId() : event.getUserId();
    ProducerRecord<String, MessageLite> record =
        new ProducerRecord<>(Topics.EVENTS_RAW, key, event);
    propagator.inject(trace, record.headers(), TraceHeaders.SETTER);
    return record;
  }

  private static RawEvent toRawEvent(String sourceId, Accepted accepted) {
    return RawEvent.newBuilder()
        .setMessageId(accepted.messageId())
        .setSourceId(sourceId)
        .setType(accepted.type())
        .setEvent(orEmpty(accepted.event()))
        .setUserId(orEmpty(accepted.userId()))
        .setAnonymousId(orEmpty(accepted.anonymousId()))
        .setTimestamp(ProtoTime.timestamp(accepted.timestamp()))
        .setReceivedAt(ProtoTime.timestamp(accepted.receivedAt()))
        // The payload is never changed once accepted: no need for protobuf's defensive copy
        .setPayloadJson(UnsafeByteOperations.unsafeWrap(accepted.payload()))
        .build();
  }

  private static String orEmpty(String s) {
    return s == null ? "" : s;
  }
}
