package io.cdp.collector;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdp.collector.EventBatch.Accepted;
import io.cdp.collector.Sources.SourceRef;
import io.cdp.collector.config.CollectorConfig;
import io.cdp.collector.dedupe.ForwardedId;
import io.cdp.collector.dedupe.ForwardedIds;
import io.cdp.collector.messaging.RawEventPublisher;
import io.cdp.common.rest.ApiError;
import io.cdp.common.rest.ApiException;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * How checked events of one source reach {@code cdp.events.raw}, whatever the entry point (Segment
 * API, Tealium collect, gRPC): duplicates are dropped, the rest is published, and the result comes
 * only once Kafka acknowledged every event.
 *
 * <p>Duplicates: a {@code messageId} the source already sent within the dedupe window (or twice in
 * one request) is acknowledged but not forwarded again ({@link ForwardedIds}). Ids are remembered
 * only after Kafka's acknowledgement, so a request that failed with 503 can be retried safely.
 */
@ApplicationScoped
public class Ingestion {

  private static final Logger LOG = Logger.getLogger(Ingestion.class);
  private static final String REJECTED = "cdp.collector.events.rejected";

  /** What happened to the events of a request: all were acknowledged, some as duplicates. */
  public record Outcome(int forwarded, int duplicates) {}

  /** Kafka did not acknowledge every event in time: the client should retry later. */
  public static final class Unavailable extends RuntimeException {
    Unavailable(Throwable cause) {
      super("Events could not be stored; retry later", cause);
    }
  }

  private final RawEventPublisher publisher;
  private final ForwardedIds forwarded;
  private final CollectorConfig config;
  private final ObjectMapper json;
  private final EventBatch.Limits limits;
  private final MeterRegistry metrics;
  private final Timer kafkaLatency;
  private final boolean fastBatches;

  public Ingestion(
      RawEventPublisher publisher,
      ForwardedIds forwarded,
      CollectorConfig config,
      ObjectMapper json,
      MeterRegistry metrics) {
    this.publisher = publisher;
    this.forwarded = forwarded;
    this.config = config;
    this.json = json;
    this.limits =
        new EventBatch.Limits(config.maxEventSize().asLongValue(), config.maxBatchEvents());
    this.metrics = metrics;
    this.fastBatches = SegmentBatch.applies(json);
    this.kafkaLatency =
        Timer.builder("cdp.collector.kafka.ack")
            .description("Time from publishing a request's events to Kafka's last acknowledgement")
            .publishPercentileHistogram()
            .register(metrics);
  }

  /**
   * Forwards the new events of {@code source}; fails with {@link Unavailable} if Kafka does not
   * ack.
   */
  public Uni<Outcome> ingest(SourceRef source, List<Accepted> events) {
    List<ForwardedId> requested = new ArrayList<>(events.size());
    for (Accepted event : events) {
      requested.add(ForwardedId.of(source.id(), event.messageId()));
    }
    boolean[] forwardedBefore = forwarded.forwarded(requested);
    List<Accepted> fresh = new ArrayList<>(events.size());
    List<ForwardedId> ids = new ArrayList<>(events.size());
    Set<ForwardedId> inRequest = new HashSet<>(events.size() * 2); // never resized
    for (int i = 0; i < forwardedBefore.length; i++) {
      if (!forwardedBefore[i] && inRequest.add(requested.get(i))) {
        fresh.add(events.get(i));
        ids.add(requested.get(i));
      }
    }
    int duplicates = events.size() - fresh.size();
    return publish(source, fresh)
        .invoke(() -> forwarded.remember(ids))
        .map(done -> count(source, fresh.size(), duplicates));
  }

  /** The time a request was received, as events record it. */
  public static Instant now() {
    return Instant.now().truncatedTo(ChronoUnit.MILLIS);
  }

  /**
   * Checks the events of a request with the configured limits (see {@link EventBatch}); a refusal
   * is counted by reason in {@code cdp.collector.events.rejected} and thrown.
   */
  public List<Accepted> check(EventBatch.Request request, Instant receivedAt) {
    try {
      return EventBatch.check(request, receivedAt, limits, json);
    } catch (ApiException refusal) {
      rejected(refusal, request.events().size());
      throw refusal;
    }
  }

  /**
   * The events of a {@code /v1/batch} body through the fast path ({@link SegmentBatch}), or null
   * when the body must take the general path: parsed as a tree and checked by {@link #check}.
   */
  public SegmentBatch.Read readBatch(byte[] body, Instant receivedAt) {
    return fastBatches ? SegmentBatch.read(body, receivedAt, limits, json) : null;
  }

  private void rejected(ApiException refusal, int events) {
    if (refusal.details() == null) {
      metrics.counter(REJECTED, "reason", refusal.code()).increment(events);
      return;
    }
    for (ApiError.Part part : refusal.details()) {
      metrics.counter(REJECTED, "reason", part.code()).increment();
    }
  }

  private Uni<Void> publish(SourceRef source, List<Accepted> events) {
    if (events.isEmpty()) {
      return Uni.createFrom().voidItem();
    }
    Timer.Sample sample = Timer.start(metrics);
    return publisher
        .publish(source.id(), events)
        .ifNoItem()
        .after(config.ackTimeout())
        .fail()
        .onItem()
        .invoke(() -> sample.stop(kafkaLatency))
        .onFailure()
        .transform(
            e -> {
              LOG.warnf("Events not acknowledged by Kafka: %s", e.toString());
              return new Unavailable(e);
            });
  }

  private Outcome count(SourceRef source, int forwarded, int duplicates) {
    metrics.counter("cdp.collector.events.accepted", "source", source.id()).increment(forwarded);
    if (duplicates > 0) {
      metrics
          .counter("cdp.collector.events.duplicates", "source", source.id())
          .increment(duplicates);
    }
    return new Outcome(forwarded, duplicates);
  }
}
