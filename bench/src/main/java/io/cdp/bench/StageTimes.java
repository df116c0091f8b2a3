package io.cdp.bench;

import io.cdp.contracts.Topics;
import io.cdp.contracts.audience.v1.MembershipTransition;
import io.cdp.contracts.audience.v1.TransitionKind;
import io.cdp.contracts.identity.v1.ResolvedEvent;
import io.cdp.contracts.profile.v1.ProfileChange;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * Where an event's time to delivery goes: reads the topics between the stages while the latency run
 * runs and keeps, for each tracked event, when its resolved event, its profile change and its
 * profile's first audience join were written (the records' timestamps, which the producing service
 * sets when it sends). With the collector's 200 and the first delivery's arrival, that splits the
 * event-to-delivery time into the stages: identity, profile, audience, connector.
 */
final class StageTimes implements AutoCloseable {

  static final List<String> STAGES = List.of("identity", "profile", "audience", "connector");

  private final Predicate<String> tracked;
  private final Map<String, Long> resolvedAt = new ConcurrentHashMap<>();
  private final Map<String, String> profileOf = new ConcurrentHashMap<>();
  private final Map<String, Long> changedAt = new ConcurrentHashMap<>();
  private final Map<String, Long> joinedAt = new ConcurrentHashMap<>();
  private Thread reader;
  private volatile boolean running = true;

  /** Starts reading from the topics' ends; {@code tracked} says which event ids to follow. */
  static StageTimes start(BenchContext context, Predicate<String> tracked) {
    StageTimes times = new StageTimes(tracked);
    KafkaConsumer<byte[], byte[]> consumer = context.consumer();
    List<TopicPartition> partitions = new ArrayList<>();
    for (String topic :
        List.of(Topics.EVENTS_RESOLVED, Topics.PROFILES_CHANGES, Topics.AUDIENCES_MEMBERSHIP)) {
      partitions.addAll(BenchContext.partitions(consumer, topic));
    }
    consumer.assign(partitions);
    consumer.seekToEnd(partitions);
    partitions.forEach(consumer::position); // resolves the end now, before the run's events
    times.reader =
        new Thread(
            () -> {
              try (consumer) {
                while (times.running) {
                  consumer.poll(Duration.ofMillis(100)).forEach(times::read);
                }
              }
            },
            "stage-times");
    times.reader.setDaemon(true);
    times.reader.start();
    return times;
  }

  /** Reads nothing by itself: {@link #read} is given the records. */
  StageTimes(Predicate<String> tracked) {
    this.tracked = tracked;
  }

  void read(ConsumerRecord<byte[], byte[]> record) {
    try {
      switch (record.topic()) {
        case Topics.EVENTS_RESOLVED -> {
          ResolvedEvent resolved = ResolvedEvent.parseFrom(record.value());
          String messageId = resolved.getEvent().getMessageId();
          if (tracked.test(messageId)) {
            resolvedAt.putIfAbsent(messageId, record.timestamp());
            profileOf.putIfAbsent(messageId, resolved.getProfileId());
          }
        }
        case Topics.PROFILES_CHANGES -> {
          ProfileChange change = ProfileChange.parseFrom(record.value());
          if (tracked.test(change.getCause())) {
            changedAt.putIfAbsent(change.getCause(), record.timestamp());
          }
        }
        case Topics.AUDIENCES_MEMBERSHIP -> {
          MembershipTransition transition = MembershipTransition.parseFrom(record.value());
          if (transition.getKind() == TransitionKind.JOINED) {
            joinedAt.putIfAbsent(transition.getProfileId(), record.timestamp());
          }
        }
        default -> {}
      }
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      // Not a record of the contract: it tells nothing about the stages.
    }
  }

  /**
   * Each stage's share of the tracked events' time to delivery: {@code answeredAt} is when the
   * collector answered 200 for each, {@code deliveredAt} when its first delivery arrived, both in
   * epoch milliseconds. Events with a stage not seen are left out and counted.
   */
  Map<String, Object> split(Map<String, Long> answeredAt, Map<String, Long> deliveredAt) {
    Map<String, LatencyHistogram> stages = new LinkedHashMap<>();
    STAGES.forEach(stage -> stages.put(stage, new LatencyHistogram()));
    long incomplete = 0;
    for (Map.Entry<String, Long> answered : answeredAt.entrySet()) {
      String messageId = answered.getKey();
      Long resolved = resolvedAt.get(messageId);
      Long changed = changedAt.get(messageId);
      String profile = profileOf.get(messageId);
      Long joined = profile == null ? null : joinedAt.get(profile);
      Long delivered = deliveredAt.get(messageId);
      if (resolved == null || changed == null || joined == null || delivered == null) {
        incomplete++;
        continue;
      }
      long[] at = {answered.getValue(), resolved, changed, joined, delivered};
      for (int i = 0; i < STAGES.size(); i++) {
        // Millisecond timestamps from different processes: a stage may read as -1 ms.
        stages.get(STAGES.get(i)).recordNanos(Math.max(0, at[i + 1] - at[i]) * 1_000_000);
      }
    }
    Map<String, Object> split = new LinkedHashMap<>();
    stages.forEach(
        (stage, histogram) -> {
          Map<String, Object> figures = new LinkedHashMap<>();
          figures.put("p50_ms", histogram.percentileMillis(50));
          figures.put("p99_ms", histogram.percentileMillis(99));
          split.put(stage, figures);
        });
    split.put("events", answeredAt.size() - incomplete);
    split.put("events_incomplete", incomplete);
    return split;
  }

  /** {@link #split}'s figures on one line. */
  static String summary(Map<String, Object> split) {
    List<String> parts = new ArrayList<>();
    for (String stage : STAGES) {
      Map<?, ?> figures = (Map<?, ?>) split.get(stage);
      parts.add(
          "%s %.1f / %.1f"
              .formatted(stage, (Double) figures.get("p50_ms"), (Double) figures.get("p99_ms")));
    }
    return String.join(", ", parts);
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    if (reader != null) {
      reader.join();
    }
  }
}
