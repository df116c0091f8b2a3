package io.cdp.bench;

import io.cdp.contracts.Topics;
import io.cdp.contracts.audience.v1.MembershipTransition;
import io.cdp.contracts.audience.v1.TransitionKind;
import io.cdp.contracts.consent.v1.ConsentChange;
import io.cdp.localstack.ServiceProcess;
import io.cdp.localstack.SuiteService;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * Activation: how many webhook deliveries connector-service makes a second, and how long a
 * membership transition takes from its record's write to its arrival at the destination.
 *
 * <p>connector-service runs as its own process with {@value #CONNECTORS} webhook connectors on the
 * {@code joined} transitions of one audience, all posting to a receiver in this process ({@link
 * ReceiverServer}). {@code MembershipTransition}s (as audience-service writes them) go to {@code
 * cdp.audiences.membership} at a fixed rate, open-loop: transition <i>n</i> is due at <i>start +
 * n/rate</i> and carries that time as {@code occurredAt}, which every delivery repeats, so a
 * delivery's latency runs from when its transition was due to its arrival at the receiver.
 *
 * <p>Consent is checked for every delivery (purpose {@code analytics}). consent-service does not
 * run: the service handles its absence as in production, deciding from its local view of {@code
 * cdp.consent.changes}, where the bench writes an explicit grant for every profile beforehand. The
 * mapping reads only the audience, so no profile is fetched (profile-service does not run).
 */
final class ConnectorPhase implements Phase {

  static final String NAME = "connector";

  private static final int CONNECTORS = 5;

  /** Distinct profiles the transitions are for, each granted {@code analytics}. */
  private static final int PROFILES = 2_000;

  /** connector-service's consumer group on {@code cdp.audiences.membership} (its properties). */
  private static final String GROUP = "connector-service";

  private static final String AUDIENCE = "bench-audience";

  /** How long deliveries still owed after the last transition may take to arrive. */
  private static final Duration DRAIN = Duration.ofMinutes(2);

  /** What the receiver saw, against the load window (set before the first transition). */
  private static final class Tally implements ReceiverServer.Arrivals {
    final long nanoAnchor = System.nanoTime();
    final Instant wallAnchor = Instant.now();
    final LatencyHistogram latency = new LatencyHistogram();
    final LongAdder arrived = new LongAdder();
    final LongAdder arrivedInWindow = new LongAdder();
    volatile LoadWindow window;

    /** The wall-clock time of {@code nanos}, as written into a transition. */
    Instant wallTime(long nanos) {
      return wallAnchor.plusNanos(nanos - nanoAnchor);
    }

    @Override
    public void arrived(long arrivedNanos, Instant occurredAt) {
      long dueNanos = nanoAnchor + Duration.between(wallAnchor, occurredAt).toNanos();
      arrived.increment();
      if (window.measuring(arrivedNanos)) {
        arrivedInWindow.increment();
      }
      if (window.measuring(dueNanos)) {
        latency.recordNanos(arrivedNanos - dueNanos);
      }
    }
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public List<PhaseResult> run(BenchContext context) throws Exception {
    BenchSettings settings = context.settings();
    int rate = transitionsPerSecond();
    context.skipToEnd(GROUP, Topics.AUDIENCES_MEMBERSHIP);
    Tally tally = new Tally();
    try (KafkaProducer<String, byte[]> producer = context.producer();
        ReceiverServer receiver = ReceiverServer.start(32, tally)) {
      grantConsent(producer);
      try (ServiceProcess connector = context.startService(SuiteService.CONNECTOR)) {
        awaitConsentView(context);
        for (int i = 0; i < CONNECTORS; i++) {
          context.adminPost(connector, "/v1/connectors", definition(receiver.url("/hook/" + i)));
        }
        LoadWindow window = LoadWindow.startingNow(settings.warmup(), settings.measured());
        tally.window = window;
        ProcessUsage usage = ProcessUsage.during(window, context.processes(connector));
        long published = publish(producer, rate, window, tally);
        long owed = published * CONNECTORS;
        long drainUntil = System.nanoTime() + DRAIN.toNanos();
        while (tally.arrived.sum() < owed && System.nanoTime() < drainUntil) {
          Thread.sleep(100);
        }
        context.saveMetrics(connector);

        double seconds = window.measuredSeconds();
        long delivered = tally.arrivedInWindow.sum();
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("offered_transitions_per_s", rate);
        details.put("offered_deliveries_per_s", rate * CONNECTORS);
        details.put("connectors", CONNECTORS);
        details.put("profiles", PROFILES);
        details.put("transitions_written", published);
        details.put("deliveries_owed", owed);
        details.put("deliveries_arrived", tally.arrived.sum());
        details.put("unreadable_requests", receiver.unreadable());
        details.put(
            "latency", "of a delivery: its transition due (open-loop) to arrival at the receiver");
        details.putAll(tally.latency.percentiles());
        details.put("consent", "checked per delivery; consent-service absent, local view decides");
        details.put("processes", usage.result());
        details.put("load_average_1m", Results.loadAverage());
        if (tally.arrived.sum() < owed) {
          details.put("missing_after_drain", owed - tally.arrived.sum());
        }
        Map<String, Object> headline = new LinkedHashMap<>();
        headline.put("connector_deliveries_per_s", Math.round(delivered / seconds));
        headline.put("connector_transition_to_delivery_p99_ms", tally.latency.percentileMillis(99));
        headline.put("connector_offered_per_s", rate * CONNECTORS);
        return List.of(
            new PhaseResult(
                NAME,
                rate
                    + " audience transitions/s at fixed intervals, each to "
                    + CONNECTORS
                    + " webhook connectors",
                1,
                settings.warmup().toSeconds(),
                seconds,
                delivered,
                details,
                headline));
      }
    }
  }

  /** Transitions a second: {@code CDP_BENCH_CONNECTOR_RATE}, default 200 (1,000 deliveries/s). */
  private static int transitionsPerSecond() {
    String rate = System.getenv("CDP_BENCH_CONNECTOR_RATE");
    return rate == null || rate.isBlank() ? 200 : Integer.parseInt(rate.trim());
  }

  /**
   * An explicit grant of {@code analytics} by every bench profile, as consent-service writes it.
   */
  private static void grantConsent(KafkaProducer<String, byte[]> producer) throws Exception {
    for (int p = 0; p < PROFILES; p++) {
      String subject = profile(p);
      ConsentChange grant =
          ConsentChange.newBuilder()
              .setSubject(subject)
              .putPurposes("analytics", true)
              .setSource("api")
              .setVersion(1)
              .build();
      producer.send(new ProducerRecord<>(Topics.CONSENT_CHANGES, subject, grant.toByteArray()));
    }
    producer.flush();
  }

  /**
   * Waits until the service's view of consent holds every grant: its consumer group on {@code
   * cdp.consent.changes} (one per instance, {@code connector-service-consent-<uuid>}) has committed
   * the topic's end. Before that, a delivery the view cannot decide is retried and may die.
   */
  private static void awaitConsentView(BenchContext context) throws Exception {
    long deadline = System.nanoTime() + DRAIN.toNanos();
    try (Admin admin = context.admin();
        KafkaConsumer<byte[], byte[]> consumer = context.consumer()) {
      Map<TopicPartition, Long> ends =
          consumer.endOffsets(BenchContext.partitions(consumer, Topics.CONSENT_CHANGES));
      while (System.nanoTime() < deadline) {
        for (var group : admin.listConsumerGroups().all().get()) {
          if (!group.groupId().startsWith(GROUP + "-consent-")) {
            continue;
          }
          Map<TopicPartition, OffsetAndMetadata> committed =
              admin.listConsumerGroupOffsets(group.groupId()).partitionsToOffsetAndMetadata().get();
          if (ends.entrySet().stream()
              .allMatch(
                  end ->
                      committed.get(end.getKey()) != null
                          && committed.get(end.getKey()).offset() >= end.getValue())) {
            return;
          }
        }
        Thread.sleep(500);
      }
    }
    throw new IllegalStateException("connector-service did not read cdp.consent.changes in time");
  }

  private static String definition(String url) {
    return """
        {"name": "bench-%s", "type": "webhook", "config": {"url": "%s"},
         "trigger": {"audience": "%s", "on": "joined"}, "purposes": ["analytics"],
         "mapping": {"segment": "audience.name", "segmentId": "audience.id"}}"""
        .formatted(url.substring(url.lastIndexOf('/') + 1), url, AUDIENCE);
  }

  /** Writes transitions at {@code rate} a second until the window ends; returns how many. */
  private static long publish(
      KafkaProducer<String, byte[]> producer, int rate, LoadWindow window, Tally tally) {
    RateSchedule schedule = RateSchedule.perSecond(rate, System.nanoTime());
    long n = 0;
    for (long due = schedule.dueNanos(n); window.running(due); due = schedule.dueNanos(++n)) {
      RateSchedule.awaitNanos(due);
      Instant occurredAt = tally.wallTime(due);
      String profileId = profile((int) (n % PROFILES));
      MembershipTransition transition =
          MembershipTransition.newBuilder()
              .setTransitionId("bench-t-" + n)
              .setProfileId(profileId)
              .setAudienceId(AUDIENCE)
              .setAudienceName("Bench audience")
              .setKind(TransitionKind.JOINED)
              .setProfileVersion(n / PROFILES + 1)
              .setOccurredAt(
                  com.google.protobuf.Timestamp.newBuilder()
                      .setSeconds(occurredAt.getEpochSecond())
                      .setNanos(occurredAt.getNano()))
              .build();
      producer.send(
          new ProducerRecord<>(Topics.AUDIENCES_MEMBERSHIP, profileId, transition.toByteArray()));
    }
    producer.flush();
    return n;
  }

  private static String profile(int p) {
    return "bench-profile-" + p;
  }
}
