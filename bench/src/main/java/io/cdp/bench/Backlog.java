package io.cdp.bench;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongFunction;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Keeps a stream service busy: records are written to its input topic so that up to {@code maxLag}
 * always wait for it, through a warm-up and a measured window, and its rate is the offsets it
 * committed during the measured window. A service commits an offset once the record's effect is
 * stored, so this counts work done, not work read. The lag is bounded so that the service has
 * caught up soon after the window, before the next measurement.
 */
final class Backlog {

  /** How often committed offsets are read (and the backlog topped up). */
  private static final Duration POLL = Duration.ofMillis(50);

  /** The longest the service may take to catch up after the window. */
  private static final Duration CATCH_UP = Duration.ofMinutes(5);

  /**
   * What the service did.
   *
   * @param written records written, record {@code 0} to {@code written - 1}: all consumed at the
   *     end
   * @param committed offsets committed between the two samples around the measured window
   * @param seconds the time between those two samples
   */
  record Result(long written, long committed, double seconds, Map<String, Object> processes) {

    double perSecond() {
      return committed / seconds;
    }
  }

  /**
   * Offers {@code records} (record number {@code n} on demand) to consumer group {@code group} of
   * {@code topic} over {@code window}, then waits until it consumed them all. The group must be at
   * the end of the topic when this starts, and nothing else may write to the topic meanwhile.
   */
  static Result run(
      BenchContext context,
      String group,
      String topic,
      LoadWindow window,
      int maxLag,
      LongFunction<ProducerRecord<String, byte[]>> records,
      Map<String, ProcessHandle> processes)
      throws Exception {
    long base = context.endOffsets(topic);
    AtomicReference<Exception> failure = new AtomicReference<>();
    ProcessUsage usage = ProcessUsage.during(window, processes);
    long written = 0;
    long startNanos = 0;
    long startCommitted = -1;
    try (KafkaProducer<String, byte[]> producer = context.producer();
        Admin admin = context.admin()) {
      while (true) {
        long committed = committed(admin, group, topic) - base;
        long now = System.nanoTime();
        if (startCommitted < 0 && window.measuring(now)) {
          startNanos = now;
          startCommitted = committed;
        }
        if (!window.running(now)) {
          if (committed >= written) {
            throw new IllegalStateException(
                group + " ran out of work: raise the backlog's lag bound (" + maxLag + ")");
          }
          producer.flush();
          awaitCommitted(admin, group, topic, base + written);
          return new Result(
              written, committed - startCommitted, (now - startNanos) / 1e9, usage.result());
        }
        for (; written - committed < maxLag && failure.get() == null; written++) {
          producer.send(
              records.apply(written),
              (metadata, error) -> {
                if (error != null) {
                  failure.compareAndSet(null, error);
                }
              });
        }
        if (failure.get() != null) {
          throw new IllegalStateException("Writing to " + topic + " failed", failure.get());
        }
        Thread.sleep(POLL.toMillis());
      }
    }
  }

  /** Offsets committed by {@code group} on {@code topic}, summed over partitions. */
  private static long committed(Admin admin, String group, String topic) throws Exception {
    return admin
        .listConsumerGroupOffsets(group)
        .partitionsToOffsetAndMetadata()
        .get()
        .entrySet()
        .stream()
        .filter(entry -> entry.getKey().topic().equals(topic) && entry.getValue() != null)
        .mapToLong(entry -> entry.getValue().offset())
        .sum();
  }

  private static void awaitCommitted(Admin admin, String group, String topic, long offsets)
      throws Exception {
    long deadline = System.nanoTime() + CATCH_UP.toNanos();
    for (long committed = committed(admin, group, topic);
        committed < offsets;
        committed = committed(admin, group, topic)) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            group + " committed " + committed + " of " + offsets + " offsets of " + topic);
      }
      Thread.sleep(POLL.toMillis());
    }
  }

  private Backlog() {}
}
