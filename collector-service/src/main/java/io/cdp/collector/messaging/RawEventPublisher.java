package io.cdp.collector.messaging;

import io.cdp.collector.EventBatch.Accepted;
import io.cdp.collector.config.CollectorConfig;
import io.cdp.common.VertxContexts;
import io.cdp.common.messaging.TraceHeaders;
import io.cdp.contracts.Topics;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.Config;
import org.jboss.logging.Logger;

/**
 * Writes accepted events to {@code cdp.events.raw}. The returned Uni completes only when the broker
 * has acknowledged every event of the request (acks=all), which is when the API may answer 200.
 *
 * <p>Why a plain Kafka producer and not a messaging emitter: the hot path of the suite sends a
 * hundred records per request, and per-record emitter messages (context capture, a tracing span
 * each, several thread hops) cost more CPU than the rest of the request. Here a request's events
 * are encoded ({@link RawEventEncoding}) and handed to the producer in one go on one sending thread
 * (a send may block on metadata or a full buffer, never the event loop), one counter waits for
 * their acknowledgements, and the request's W3C trace context is written once into headers that
 * every record of the request carries, so the trace continues in the identity service.
 */
@ApplicationScoped
public class RawEventPublisher {

  private static final Logger LOG = Logger.getLogger(RawEventPublisher.class);

  private final Producer<String, byte[]> producer;
  private final ExecutorService sender;
  private final TextMapPropagator propagator;

  public RawEventPublisher(Config config, CollectorConfig collector, OpenTelemetry telemetry) {
    Map<String, Object> settings = KafkaSettings.shared(config, ProducerConfig.configNames());
    settings.putAll(collector.producer());
    settings.put(ProducerConfig.CLIENT_ID_CONFIG, "collector-events-raw");
    this.producer =
        new KafkaProducer<>(settings, new StringSerializer(), new ByteArraySerializer());
    this.sender = Executors.newSingleThreadExecutor(r -> new Thread(r, "events-raw-sender"));
    this.propagator = telemetry.getPropagators().getTextMapPropagator();
  }

  /** Publishes normalised events of one source; fails if any is not acknowledged. */
  public Uni<Void> publish(String sourceId, List<Accepted> events) {
    // One request, one trace context: its headers are written once, and each record takes a
    // copy of that list (ProducerRecord copies it; the header values are shared)
    RecordHeaders trace = new RecordHeaders();
    propagator.inject(Context.current(), trace, TraceHeaders.SETTER);
    return VertxContexts.onCallerContext(() -> send(sourceId, events, trace));
  }

  /**
   * Sends a record of {@code cdp.collector.forwarded} (see {@code ForwardedIds}) on the sending
   * thread, behind the events it names; a failure is only logged: it lets a duplicate through on
   * another replica, never loses an event.
   */
  public void publishForwarded(byte[] ids, Header replica) {
    sender.execute(
        () -> {
          try {
            producer.send(
                new ProducerRecord<>(
                    Topics.COLLECTOR_FORWARDED, null, (String) null, ids, List.of(replica)),
                (metadata, error) -> {
                  if (error != null) {
                    LOG.warnf("Forwarded messageIds not recorded: %s", error.toString());
                  }
                });
          } catch (RuntimeException e) {
            LOG.warnf("Forwarded messageIds not recorded: %s", e.toString());
          }
        });
  }

  @PreDestroy
  void close() {
    sender.shutdown();
    producer.close(Duration.ofSeconds(5));
  }

  /** Encodes and sends the records on the sending thread; completes at the last ack. */
  private CompletionStage<Void> send(String sourceId, List<Accepted> events, RecordHeaders trace) {
    CompletableFuture<Void> acknowledged = new CompletableFuture<>();
    AtomicInteger waiting = new AtomicInteger(events.size());
    Callback counter =
        (metadata, error) -> {
          if (error != null) {
            acknowledged.completeExceptionally(error);
          } else if (waiting.decrementAndGet() == 0) {
            acknowledged.complete(null);
          }
        };
    sender.execute(
        () -> {
          for (Accepted event : events) {
            try {
              producer.send(record(sourceId, event, trace), counter);
            } catch (RuntimeException e) {
              acknowledged.completeExceptionally(e);
              return;
            }
          }
        });
    return acknowledged;
  }

  /** Keyed by the best identifier so one visitor's events share a partition, in order. */
  private static ProducerRecord<String, byte[]> record(
      String sourceId, Accepted event, RecordHeaders trace) {
    String key =
        event.userId() != null && !event.userId().isEmpty() ? event.userId() : event.anonymousId();
    return new ProducerRecord<>(
        Topics.EVENTS_RAW,
        null,
        key == null ? "" : key,
        RawEventEncoding.encode(sourceId, event),
        trace);
  }
}
