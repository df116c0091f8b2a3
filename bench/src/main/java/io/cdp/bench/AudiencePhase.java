package io.cdp.bench;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.cdp.contracts.ProtoTime;
import io.cdp.contracts.Topics;
import io.cdp.contracts.audience.v1.MembershipTransition;
import io.cdp.contracts.profile.v1.Profile;
import io.cdp.contracts.profile.v1.ProfileChange;
import io.cdp.localstack.ServiceProcess;
import io.cdp.localstack.SuiteService;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * Audiences: how fast audience-service turns profile changes into memberships, and how long a
 * change takes to become a transition at a fixed rate. profile-service only defines the attributes
 * (rules are checked against them when saved) and is stopped before any load: the changes are
 * {@code ProfileChange} records written straight to {@code cdp.profiles.changes}, as
 * profile-service writes them.
 *
 * <ol>
 *   <li>Setup: {@value #ATTRIBUTES} number attributes, {@value #AUDIENCES} audiences over them
 *       through {@code POST /v1/audiences} ({@link AudienceChanges#rule}).
 *   <li>Throughput: changes of {@value AudienceChanges#PROFILES} profiles kept waiting ({@link
 *       Backlog}); changes/s are the offsets the service committed in the measured window (it
 *       commits a change once its memberships are in PostgreSQL and its transitions acknowledged),
 *       evaluations/s the rules it evaluated meanwhile (its {@code
 *       cdp_audience_evaluations_total}).
 *   <li>Latency: changes that each flip audiences, open-loop at a fixed rate; from when a change
 *       was due (its snapshot's {@code updatedAt}, which the transition carries as {@code
 *       occurredAt}) to the timestamp of its first transition record.
 * </ol>
 */
final class AudiencePhase implements Phase {

  static final String NAME = "audience";

  static final int ATTRIBUTES = 20;
  static final int AUDIENCES = 100;

  /** audience-service's consumer group on {@code cdp.profiles.changes} (its properties). */
  private static final String GROUP = "audience-service";

  /** Changes waiting for the service at most. */
  private static final int MAX_LAG = 5_000;

  /**
   * The service commits a poll's offsets every auto.commit.interval.ms (1 s in cdp-common), and the
   * throughput is counted by commits: committing twice a second lets the count follow the work.
   */
  private static final Map<String, String> COMMIT_OFTEN =
      Map.of("mp.messaging.incoming.profiles-changes.auto.commit.interval.ms", "500");

  /** How long the transitions of a latency run may take to arrive after its last change. */
  private static final Duration DRAIN = Duration.ofMinutes(2);

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public List<PhaseResult> run(BenchContext context) throws Exception {
    BenchSettings settings = context.settings();
    context.skipToEnd(GROUP, Topics.PROFILES_CHANGES);
    try (ServiceProcess audience = startWithAudiences(context)) {
      List<PhaseResult> results = new ArrayList<>();
      AudienceMetrics evaluations = new AudienceMetrics(audience);
      LoadWindow window = LoadWindow.startingNow(settings.warmup(), settings.measured());
      Thread sampler = evaluations.sampleAround(window);
      Backlog.Result backlog =
          Backlog.run(
              context,
              GROUP,
              Topics.PROFILES_CHANGES,
              window,
              MAX_LAG,
              n -> record(AudienceChanges.throughput(n)),
              context.processes(audience));
      sampler.join();
      results.add(throughput(settings, backlog, evaluations.perSecond(window)));

      int rate =
          Integer.parseInt(System.getenv().getOrDefault("CDP_BENCH_AUDIENCE_RATE", "0")) > 0
              ? Integer.parseInt(System.getenv().get("CDP_BENCH_AUDIENCE_RATE"))
              : Math.max(1, (int) (backlog.perSecond() / 2));
      System.out.printf("  change to transition latency at %,d changes/s...%n", rate);
      results.add(latency(context, audience, rate));
      context.saveMetrics(audience);
      return results;
    }
  }

  /**
   * Starts profile-service, defines the attributes there, starts audience-service pointed at it,
   * defines the audiences, and stops profile-service again.
   */
  private static ServiceProcess startWithAudiences(BenchContext context) throws Exception {
    try (ServiceProcess profile = context.startService(SuiteService.PROFILE)) {
      for (int a = 0; a < ATTRIBUTES; a++) {
        context.adminPost(
            profile,
            "/v1/attributes",
            "{\"name\": \"" + AudienceChanges.attribute(a) + "\", \"type\": \"number\"}");
      }
      ServiceProcess audience = context.startService(SuiteService.AUDIENCE, COMMIT_OFTEN);
      try {
        for (int i = 0; i < AUDIENCES; i++) {
          context.adminPost(
              audience,
              "/v1/audiences",
              "{\"name\": \"bench " + i + "\", \"rule\": \"" + AudienceChanges.rule(i) + "\"}");
        }
      } catch (Exception | Error e) {
        audience.close();
        throw e;
      }
      return audience;
    }
  }

  private static ProducerRecord<String, byte[]> record(ProfileChange change) {
    return new ProducerRecord<>(
        Topics.PROFILES_CHANGES, change.getProfileId(), change.toByteArray());
  }

  private static PhaseResult throughput(
      BenchSettings settings, Backlog.Result backlog, double evaluationsPerSecond) {
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("audiences", AUDIENCES);
    details.put("attributes", ATTRIBUTES);
    details.put("profiles", AudienceChanges.PROFILES);
    details.put("changes_written", backlog.written());
    details.put("evaluations_per_s", Math.round(evaluationsPerSecond));
    details.put(
        "evaluations_per_change",
        Math.round(evaluationsPerSecond / backlog.perSecond() * 10) / 10.0);
    details.put("processes", backlog.processes());
    details.put("load_average_1m", Results.loadAverage());
    Map<String, Object> headline = new LinkedHashMap<>();
    headline.put("audience_changes_per_s", Math.round(backlog.perSecond()));
    headline.put("audience_evaluations_per_s", Math.round(evaluationsPerSecond));
    return new PhaseResult(
        NAME,
        "profile changes (2 of 20 attributes each; a profile's first change sets all) kept waiting"
            + " (up to "
            + MAX_LAG
            + "), consumed as fast as the service goes",
        1,
        settings.warmup().toSeconds(),
        Math.round(backlog.seconds() * 100) / 100.0,
        backlog.done(),
        details,
        headline);
  }

  /**
   * Changes that each flip {@link AudienceChanges#FLIPPED} audiences, at {@code rate} a second from
   * one producer thread, while this thread reads their transitions back.
   */
  private static PhaseResult latency(BenchContext context, ServiceProcess audience, int rate)
      throws Exception {
    BenchSettings settings = context.settings();
    LoadWindow window = LoadWindow.startingNow(settings.warmup(), settings.measured());
    long startNanos = window.measureFromNanos() - settings.warmup().toNanos();
    // Wall-clock times of the schedule: occurredAt and record timestamps are epoch based.
    long anchorNanos = System.nanoTime();
    long anchorEpochNanos = epochNanos(Instant.now());
    long measureFromEpoch = anchorEpochNanos + (window.measureFromNanos() - anchorNanos);
    long endEpoch = anchorEpochNanos + (window.endNanos() - anchorNanos);
    RateSchedule schedule = RateSchedule.perSecond(rate, startNanos);

    LatencyHistogram latency = new LatencyHistogram();
    AtomicLong sent = new AtomicLong();
    AtomicReference<Exception> failure = new AtomicReference<>();
    Set<String> answered = new HashSet<>(); // profile@version: its first transition counts
    long inWindow = 0;
    try (KafkaConsumer<byte[], byte[]> consumer = context.consumer()) {
      List<TopicPartition> partitions =
          BenchContext.partitions(consumer, Topics.AUDIENCES_MEMBERSHIP);
      consumer.assign(partitions);
      consumer.seekToEnd(partitions);
      partitions.forEach(consumer::position); // the end now, before any change of the run
      ProcessUsage usage = ProcessUsage.during(window, context.processes(audience));
      Thread producerThread =
          new Thread(
              () -> {
                try (KafkaProducer<String, byte[]> producer = context.producer()) {
                  for (long n = 0; window.running(schedule.dueNanos(n)); n++) {
                    long due = schedule.dueNanos(n);
                    RateSchedule.awaitNanos(due);
                    Instant dueAt =
                        Instant.ofEpochSecond(0, anchorEpochNanos + (due - anchorNanos));
                    producer.send(
                        record(AudienceChanges.flip(n, dueAt)),
                        (metadata, error) -> {
                          if (error != null) {
                            failure.compareAndSet(null, error);
                          }
                        });
                    sent.incrementAndGet();
                  }
                }
              },
              "audience-load");
      producerThread.start();
      long deadline = Long.MAX_VALUE;
      while (answered.size() < sent.get() || producerThread.isAlive()) {
        if (!producerThread.isAlive() && deadline == Long.MAX_VALUE) {
          deadline = System.nanoTime() + DRAIN.toNanos();
        }
        if (System.nanoTime() > deadline || failure.get() != null) {
          break;
        }
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
          MembershipTransition transition = MembershipTransition.parseFrom(record.value());
          if (!AudienceChanges.isFlip(transition.getProfileId())
              || !answered.add(transition.getProfileId() + "@" + transition.getProfileVersion())) {
            continue;
          }
          long dueAt = epochNanos(ProtoTime.instant(transition.getOccurredAt()));
          if (dueAt >= measureFromEpoch && dueAt < endEpoch) {
            inWindow++;
            latency.recordNanos(record.timestamp() * 1_000_000L - dueAt);
          }
        }
      }
      producerThread.join();
      if (failure.get() != null) {
        throw new IllegalStateException("Writing profile changes failed", failure.get());
      }
      if (answered.size() < sent.get()) {
        throw new IllegalStateException(
            answered.size() + " of " + sent.get() + " changes had a transition within " + DRAIN);
      }

      Map<String, Object> details = new LinkedHashMap<>();
      details.put("offered_per_s", rate);
      details.put("changes_sent", sent.get());
      details.put("audiences_flipped_per_change", AudienceChanges.FLIPPED);
      details.put(
          "latency",
          "of a change: when it was due (its snapshot's updatedAt) to its first transition"
              + " record's timestamp");
      details.putAll(latency.percentiles());
      details.put("processes", usage.result());
      details.put("load_average_1m", Results.loadAverage());
      Map<String, Object> headline = new LinkedHashMap<>();
      headline.put("audience_offered_per_s", rate);
      headline.put("audience_change_to_transition_p99_ms", latency.percentileMillis(99));
      return new PhaseResult(
          NAME + "_latency",
          rate + " changes/s offered at fixed intervals, each flipping audiences",
          1,
          settings.warmup().toSeconds(),
          window.measuredSeconds(),
          inWindow,
          details,
          headline);
    }
  }

  private static long epochNanos(Instant instant) {
    return instant.getEpochSecond() * 1_000_000_000L + instant.getNano();
  }

  /**
   * The profile changes of the benchmark, as profile-service writes them: keyed by profile id, with
   * a full snapshot and the names of the attributes that changed.
   */
  static final class AudienceChanges {

    /** Profiles of the throughput run; record {@code n} changes profile {@code n % PROFILES}. */
    static final int PROFILES = 200;

    /** Profiles of the latency run, kept apart from the throughput run's. */
    static final int FLIP_PROFILES = 50;

    /** Audiences whose rule is on {@code a00} ({@link #rule}): a flip joins or leaves them all. */
    static final int FLIPPED = 5;

    static String attribute(int a) {
      return "a%02d".formatted(a);
    }

    /**
     * Audience {@code i}: attribute {@code i % 20} at or above one of five thresholds; one in three
     * also needs another attribute below 80. Each attribute is read by five to seven audiences.
     */
    static String rule(int i) {
      String rule =
          "profile.attributes." + attribute(i % ATTRIBUTES) + " >= " + (10 + 20 * (i / ATTRIBUTES));
      return i % 3 == 0
          ? rule + " && profile.attributes." + attribute((i + 7) % ATTRIBUTES) + " < 80"
          : rule;
    }

    /**
     * Change number {@code n} of the throughput run: version {@code v = n / PROFILES + 1} of
     * profile {@code n % PROFILES}. Version 1 sets every attribute; version {@code v > 1} changes
     * the two attributes {@code j} with {@code j % 10 == v % 10}, so each attribute's value is the
     * one its last change gave it.
     */
    static ProfileChange throughput(long n) {
      int profile = (int) (n % PROFILES);
      long version = n / PROFILES + 1;
      Struct.Builder attributes = Struct.newBuilder();
      List<String> changed = new ArrayList<>();
      for (int j = 0; j < ATTRIBUTES; j++) {
        long lastChange = version - Math.floorMod(version - j, 10);
        attributes.putFields(
            attribute(j),
            Value.newBuilder().setNumberValue(value(profile, j, Math.max(lastChange, 1))).build());
        if (version == 1 || lastChange == version) {
          changed.add(attribute(j));
        }
      }
      return change("tp-" + profile, version, attributes, changed, Instant.now());
    }

    /**
     * Change number {@code n} of the latency run: {@code a00} of profile {@code n % FLIP_PROFILES}
     * goes to 95 (joins the {@value #FLIPPED} audiences whose rule is on {@code a00}) at odd
     * versions and back to 5 (leaves them) at even ones; {@code a07} stays 0, so the two of them
     * that also need {@code a07 < 80} flip along.
     */
    static ProfileChange flip(long n, Instant dueAt) {
      long version = n / FLIP_PROFILES + 1;
      Struct.Builder attributes =
          Struct.newBuilder()
              .putFields(
                  attribute(0),
                  Value.newBuilder().setNumberValue(version % 2 == 1 ? 95 : 5).build())
              .putFields(attribute(7), Value.newBuilder().setNumberValue(0).build());
      return change("flip-" + n % FLIP_PROFILES, version, attributes, List.of(attribute(0)), dueAt);
    }

    static boolean isFlip(String profileId) {
      return profileId.startsWith("flip-");
    }

    private static ProfileChange change(
        String profileId,
        long version,
        Struct.Builder attributes,
        List<String> changed,
        Instant at) {
      return ProfileChange.newBuilder()
          .setProfileId(profileId)
          .setVersion(version)
          .addAllChanged(changed)
          .setCause("bench")
          .setSnapshot(
              Profile.newBuilder()
                  .setProfileId(profileId)
                  .addIdentifiers("user_id:" + profileId)
                  .setAttributes(attributes)
                  .setVersion(version)
                  .setUpdatedAt(ProtoTime.timestamp(at)))
          .build();
    }

    /** A value from 0 to 99 that looks random but is the same for the same arguments. */
    private static double value(int profile, int attribute, long version) {
      long h = profile * 0x9E3779B97F4A7C15L + attribute * 0xC2B2AE3D27D4EB4FL + version;
      h ^= h >>> 29;
      h *= 0xBF58476D1CE4E5B9L;
      h ^= h >>> 32;
      return Math.floorMod(h, 100);
    }

    private AudienceChanges() {}
  }

  /** audience-service's count of evaluated rules, read from its {@code /q/metrics}. */
  static final class AudienceMetrics {

    private static final String EVALUATIONS = "cdp_audience_evaluations_total";

    private final URI metrics;
    private volatile double atStart = Double.NaN;
    private volatile double atEnd = Double.NaN;

    AudienceMetrics(ServiceProcess audience) {
      this.metrics = URI.create(audience.url() + "/q/metrics");
    }

    /** A thread reading the count when {@code window} starts measuring and when it ends. */
    Thread sampleAround(LoadWindow window) {
      Thread sampler =
          new Thread(
              () -> {
                try {
                  RateSchedule.awaitNanos(window.measureFromNanos());
                  atStart = evaluations();
                  RateSchedule.awaitNanos(window.endNanos());
                  atEnd = evaluations();
                } catch (IOException e) {
                  throw new IllegalStateException("Reading " + metrics + " failed", e);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              },
              "audience-metrics");
      sampler.start();
      return sampler;
    }

    /** Rules evaluated per second of the measured window. */
    double perSecond(LoadWindow window) {
      if (Double.isNaN(atStart) || Double.isNaN(atEnd)) {
        throw new IllegalStateException("No " + EVALUATIONS + " in " + metrics);
      }
      return (atEnd - atStart) / window.measuredSeconds();
    }

    private double evaluations() throws IOException, InterruptedException {
      String body =
          HttpClient.newHttpClient()
              .send(HttpRequest.newBuilder(metrics).build(), HttpResponse.BodyHandlers.ofString())
              .body();
      // "<name> <value>", maybe followed by " # {exemplar} <value> <time>"
      return body.lines()
          .filter(line -> line.startsWith(EVALUATIONS + " "))
          .mapToDouble(line -> Double.parseDouble(line.split(" ")[1]))
          .sum();
    }
  }
}
