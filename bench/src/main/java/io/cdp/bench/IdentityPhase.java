package io.cdp.bench;

import io.cdp.contracts.ProtoTime;
import io.cdp.contracts.Topics;
import io.cdp.contracts.collector.v1.RawEvent;
import io.cdp.contracts.identity.v1.ResolvedEvent;
import io.cdp.localstack.ServiceProcess;
import io.cdp.localstack.SuiteService;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * Identity resolution: how many raw events identity-service resolves a second, and how long one
 * takes with a warm and with a cold identifier index.
 *
 * <ol>
 *   <li>Throughput: a backlog of {@link Visitors} events written to {@code cdp.events.raw}: every
 *       visitor's first page view (a new anonymous profile), then a login for a third of them (user
 *       id and email linked to the anonymous profile) and a returning event for the others, counted
 *       by the resolved events the service wrote ({@link Backlog}). A backlog of a quarter of the
 *       visitors goes first, as warm-up.
 *   <li>Latency, warm: returning events of those visitors, in order, at a fixed rate (open-loop);
 *       each event's {@code receivedAt} is when it was due, and its latency ends at the timestamp
 *       the service's producer gave the resolved record (1 ms resolution).
 *   <li>Latency, cold: the index cache ({@value #INDEX_CACHE}) is cleared and the same visitors
 *       send again at the same rate, measured from the first event: each visitor comes once, so
 *       every event misses the cache while the run touches fewer visitors than there are.
 * </ol>
 */
final class IdentityPhase implements Phase {

  static final String NAME = "identity";

  /** identity-service's consumer group on {@code cdp.events.raw} (its properties). */
  private static final String GROUP = "identity-service";

  /** The identifier index in Infinispan (identity-service's properties). */
  private static final String INDEX_CACHE = "identity-index";

  /** Raw events waiting for the service at most: a few polls (500 records each) ahead. */
  private static final int MAX_LAG = 5_000;

  /** How long the resolved records of a latency run may take to arrive after its last event. */
  private static final Duration DRAIN = Duration.ofMinutes(2);

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public List<PhaseResult> run(BenchContext context) throws Exception {
    BenchSettings settings = context.settings();
    context.skipToEnd(GROUP, Topics.EVENTS_RAW);
    try (ServiceProcess identity = context.startService(SuiteService.IDENTITY)) {
      List<PhaseResult> results = new ArrayList<>();
      Visitors visitors = new Visitors("bench");
      long resolvedBefore = context.endOffsets(Topics.EVENTS_RESOLVED);
      Backlog.Result backlog =
          Backlog.run(
              context,
              GROUP,
              Topics.EVENTS_RAW,
              Topics.EVENTS_RESOLVED,
              LoadWindow.startingNow(settings.warmup(), settings.measured()),
              MAX_LAG,
              n -> record(visitors, n),
              context.processes(identity));
      long resolved = context.endOffsets(Topics.EVENTS_RESOLVED) - resolvedBefore;
      if (resolved < backlog.written()) {
        throw new IllegalStateException(
            "cdp.events.resolved grew by " + resolved + ", fewer than " + backlog.written());
      }
      results.add(throughput(settings, backlog));

      int known = (int) ((backlog.written() + 1) / 2);
      int rate =
          settings.identityRate() > 0
              ? settings.identityRate()
              : Math.max(10, (int) (backlog.perSecond() / 2 / 10) * 10);
      System.out.printf("  resolve latency at %,d events/s, warm cache...%n", rate);
      results.add(latency(context, identity, visitors, known, rate, "warm", settings.warmup(), 0));
      long cleared = context.clearCache(INDEX_CACHE);
      System.out.printf("  cleared %,d index entries; cold cache...%n", cleared);
      results.add(
          latency(context, identity, visitors, known, rate, "cold", Duration.ZERO, cleared));
      context.saveMetrics(identity);
      return results;
    }
  }

  /**
   * Record {@code n} of the throughput backlog: visitor {@code n / 2}'s first page view, then its
   * login (a third of the visitors) or a returning event.
   */
  private static ProducerRecord<String, byte[]> record(Visitors visitors, long n) {
    int v = (int) (n / 2);
    Instant now = Instant.now();
    RawEvent event =
        n % 2 == 0
            ? visitors.firstVisit(v, "backlog", now)
            : Visitors.logsIn(v)
                ? visitors.login(v, "backlog", now)
                : visitors.returning(v, "backlog", now);
    return record(event);
  }

  private static ProducerRecord<String, byte[]> record(RawEvent event) {
    return new ProducerRecord<>(Topics.EVENTS_RAW, Visitors.key(event), event.toByteArray());
  }

  private static PhaseResult throughput(BenchSettings settings, Backlog.Result backlog) {
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("mix", "50% new anonymous visitors, 17% logins, 33% returning visitors");
    details.put("events_written", backlog.written());
    details.put("processes", backlog.processes());
    details.put("load_average_1m", Results.loadAverage());
    return new PhaseResult(
        NAME,
        "raw events kept waiting (up to " + MAX_LAG + "), consumed as fast as the service goes",
        1,
        settings.warmup().toSeconds(),
        Math.round(backlog.seconds() * 100) / 100.0,
        backlog.done(),
        details,
        Map.of("identity_events_per_s", Math.round(backlog.perSecond())));
  }

  /**
   * Returning events of the first {@code known} visitors at {@code rate} a second from one producer
   * thread, while this thread reads the resolved records of the run back.
   */
  private static PhaseResult latency(
      BenchContext context,
      ServiceProcess identity,
      Visitors visitors,
      int known,
      int rate,
      String cache,
      Duration warmup,
      long clearedEntries)
      throws Exception {
    BenchSettings settings = context.settings();
    String tag = "latency-" + cache;
    LoadWindow window = LoadWindow.startingNow(warmup, settings.measured());
    long startNanos = window.measureFromNanos() - warmup.toNanos();
    // Wall-clock times of the schedule: receivedAt and the record timestamps are epoch based.
    long anchorNanos = System.nanoTime();
    long anchorEpochNanos = epochNanos(Instant.now());
    long measureFromEpoch = anchorEpochNanos + (window.measureFromNanos() - anchorNanos);
    long endEpoch = anchorEpochNanos + (window.endNanos() - anchorNanos);
    RateSchedule schedule = RateSchedule.perSecond(rate, startNanos);

    LatencyHistogram latency = new LatencyHistogram();
    AtomicLong sent = new AtomicLong();
    AtomicReference<Exception> failure = new AtomicReference<>();
    long resolvedInWindow = 0;
    long received = 0;
    try (KafkaConsumer<byte[], byte[]> consumer = context.consumer()) {
      List<TopicPartition> partitions = BenchContext.partitions(consumer, Topics.EVENTS_RESOLVED);
      consumer.assign(partitions);
      consumer.seekToEnd(partitions);
      partitions.forEach(consumer::position); // the end now, before any event of the run
      ProcessUsage usage = ProcessUsage.during(window, context.processes(identity));
      Thread producerThread =
          new Thread(
              () -> {
                try (KafkaProducer<String, byte[]> producer = context.producer()) {
                  for (long n = 0; window.running(schedule.dueNanos(n)); n++) {
                    long due = schedule.dueNanos(n);
                    RateSchedule.awaitNanos(due);
                    Instant receivedAt = instant(anchorEpochNanos + (due - anchorNanos));
                    int v = (int) (n % known);
                    producer.send(
                        record(visitors.returning(v, tag, receivedAt)),
                        (metadata, error) -> {
                          if (error != null) {
                            failure.compareAndSet(null, error);
                          }
                        });
                    sent.incrementAndGet();
                  }
                }
              },
              "identity-load");
      producerThread.start();
      long deadline = Long.MAX_VALUE;
      while (received < sent.get() || producerThread.isAlive()) {
        if (!producerThread.isAlive() && deadline == Long.MAX_VALUE) {
          deadline = System.nanoTime() + DRAIN.toNanos();
        }
        if (System.nanoTime() > deadline || failure.get() != null) {
          break;
        }
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
          RawEvent event = ResolvedEvent.parseFrom(record.value()).getEvent();
          if (!event.getMessageId().startsWith(tag + "-")) {
            continue;
          }
          received++;
          long receivedAt = epochNanos(ProtoTime.instant(event.getReceivedAt()));
          if (receivedAt >= measureFromEpoch && receivedAt < endEpoch) {
            resolvedInWindow++;
            latency.recordNanos(record.timestamp() * 1_000_000L - receivedAt);
          }
        }
      }
      producerThread.join();
      if (failure.get() != null) {
        throw new IllegalStateException("Writing raw events failed", failure.get());
      }
      if (received < sent.get()) {
        throw new IllegalStateException(
            received + " of " + sent.get() + " events were resolved within " + DRAIN);
      }

      double seconds = window.measuredSeconds();
      Map<String, Object> details = new LinkedHashMap<>();
      details.put("offered_per_s", rate);
      details.put("cache", cache);
      if (clearedEntries > 0) {
        details.put("cleared_index_entries", clearedEntries);
      }
      details.put("events_sent", sent.get());
      // Each visitor once: in the cold run every event misses the index, unless this wrapped.
      details.put("distinct_visitors", Math.min(sent.get(), known));
      details.put(
          "latency", "of a resolution: receivedAt (when due) to the resolved record's timestamp");
      details.putAll(latency.percentiles());
      details.put("processes", usage.result());
      details.put("load_average_1m", Results.loadAverage());
      return new PhaseResult(
          NAME + "_" + cache,
          rate
              + " returning-visitor events/s offered at fixed intervals, "
              + cache
              + " identifier index",
          1,
          warmup.toSeconds(),
          seconds,
          resolvedInWindow,
          details,
          Map.of(
              "identity_offered_per_s",
              rate,
              "identity_" + cache + "_p99_ms",
              latency.percentileMillis(99)));
    }
  }

  private static long epochNanos(Instant instant) {
    return instant.getEpochSecond() * 1_000_000_000L + instant.getNano();
  }

  private static Instant instant(long epochNanos) {
    return Instant.ofEpochSecond(0, epochNanos);
  }
}
