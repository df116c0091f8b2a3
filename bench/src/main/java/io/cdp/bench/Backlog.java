package io.cdp.bench;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongFunction;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * Keeps a stream service busy: records are written to its input topic so that up to {@code maxLag}
 * always wait for it, through a warm-up and a measured window, and its rate is the records it wrote
 * to its output topic during the measured window, one per input record: work done, not work read.
 * (Not its committed offsets: Kafka consumers commit every few seconds, so those would count the
 * commit interval rather than the service.) The lag is bounded so that the service has caught up
 * soon after the window, before the next measurement; at the end every input record must be
 * committed.
 */
final class Backlog {

  /** How often the output is counted (and the backlog topped up). */
  private static final Duration POLL = Duration.ofMillis(50);

  /** The longest the service may take to catch up after the window. */
  private static final Duration CATCH_UP = Duration.ofMinutes(5);

  /**
   * What the service did.
   *
   * @param written records written, record {@code 0} to {@code written - 1}: all consumed at the
   *     end
   * @param done output records written between the two samples around the measured window
   * @param seconds the time between those two samples
   */
  record Result(long written, long done, double seconds, Map<String, Object> processes) {

    double perSecond() {
      return done / seconds;
    }
  }

  /**
   * As {@link #run(BenchContext, String, String, String, LoadWindow, int, LongFunction, Map)} for a
   * service that writes no output record per input record: counts the offsets it commits instead.
   * Those move once per auto-commit interval (1 s in cdp-common), so {@code maxLag} must hold more
   * than that much work, and a short window is measured coarsely.
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
    return run(context, group, topic, null, window, maxLag, records, processes);
  }

  /**
   * Offers {@code records} (record number {@code n} on demand) to consumer group {@code group} of
   * {@code topic} over {@code window}, counting what the service writes to {@code output}, then
   * waits until it committed them all. The group must be at the end of the topic when this starts,
   * and nothing else may write to either topic meanwhile.
   */
  static Result run(
      BenchContext context,
      String group,
      String topic,
      String output,
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
    long startDone = -1;
    try (KafkaProducer<String, byte[]> producer = context.producer();
        KafkaConsumer<byte[], byte[]> outputs = context.consumer();
        Admin admin = context.admin()) {
      List<TopicPartition> outputPartitions =
          output == null ? List.of() : BenchContext.partitions(outputs, output);
      long outputBase =
          output == null ? base : BenchContext.total(outputs.endOffsets(outputPartitions));
      while (true) {
        long done =
            (output == null
                    ? BenchContext.committedOffsets(admin, group, topic)
                    : BenchContext.total(outputs.endOffsets(outputPartitions)))
                - outputBase;
        long now = System.nanoTime();
        if (startDone < 0 && window.measuring(now)) {
          startNanos = now;
          startDone = done;
        }
        if (!window.running(now)) {
          if (done >= written) {
            throw new IllegalStateException(
                group + " ran out of work: raise the backlog's lag bound (" + maxLag + ")");
          }
          producer.flush();
          BenchContext.awaitCommitted(admin, group, topic, base + written, CATCH_UP);
          return new Result(written, done - startDone, (now - startNanos) / 1e9, usage.result());
        }
        for (; written - done < maxLag && failure.get() == null; written++) {
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

  private Backlog() {}
}
