package io.cdp.collector.dedupe;

import io.cdp.collector.config.CollectorConfig;
import io.cdp.collector.messaging.KafkaSettings;
import io.cdp.collector.messaging.RawEventPublisher;
import io.cdp.contracts.Topics;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.eclipse.microprofile.config.Config;
import org.jboss.logging.Logger;

/**
 * The messageIds forwarded within the dedupe window, by every replica: held in this process ({@link
 * RecentIds}, bounded by {@code cdp.collector.dedupe.max-ids}), so the duplicate check of a request
 * is a few memory lookups, not a round trip to a shared store.
 *
 * <p>What a replica forwards it adds here at once and publishes to {@code cdp.collector.forwarded}
 * (one record per request: the ids' digests); every replica reads that topic from the start of the
 * window on, so it also knows what the others forwarded, and a restarted replica what it forwarded
 * before ({@link ForwardedIdsReadiness}).
 */
@ApplicationScoped
public class ForwardedIds {

  private static final Logger LOG = Logger.getLogger(ForwardedIds.class);
  private static final Duration POLL = Duration.ofMillis(500);

  /** Names the replica that wrote a record, which skips its own records when it reads them. */
  private static final String REPLICA_HEADER = "cdp-collector-replica";

  private final RecentIds recent;
  private final Duration window;
  private final RawEventPublisher publisher;
  private final Map<String, Object> consumerSettings;
  private final Header replica =
      new RecordHeader(
          REPLICA_HEADER, UUID.randomUUID().toString().getBytes(StandardCharsets.UTF_8));
  private volatile KafkaConsumer<byte[], byte[]> consumer;
  private volatile boolean caughtUp;
  private volatile boolean closed;

  public ForwardedIds(
      CollectorConfig config, RawEventPublisher publisher, Config mpConfig, MeterRegistry metrics) {
    this.recent = new RecentIds(config.dedupe().maxIds());
    this.window = config.dedupe().window();
    this.publisher = publisher;
    this.consumerSettings = KafkaSettings.shared(mpConfig, ConsumerConfig.configNames());
    consumerSettings.put(ConsumerConfig.CLIENT_ID_CONFIG, "collector-forwarded");
    consumerSettings.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    consumerSettings.remove(ConsumerConfig.GROUP_ID_CONFIG); // every replica reads every record
    // Other replicas' ids may arrive a little later; a fetch per request written costs the broker
    consumerSettings.put(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, "65536");
    consumerSettings.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "250");
    metrics.gauge("cdp.collector.dedupe.ids", recent, RecentIds::size);
  }

  void start(@Observes StartupEvent started) {
    Thread feed = new Thread(this::follow, "collector-forwarded-feed");
    feed.setDaemon(true);
    feed.start();
  }

  void stop(@Observes ShutdownEvent stopping) {
    closed = true;
    KafkaConsumer<byte[], byte[]> current = consumer;
    if (current != null) {
      current.wakeup();
    }
  }

  /**
   * For each of {@code ids}, whether it was forwarded within the window, by any replica this one
   * has heard of. One call per request: each call through the bean's proxy costs a context lookup.
   */
  public boolean[] forwarded(List<ForwardedId> ids) {
    return recent.contains(ids, System.currentTimeMillis() - window.toMillis());
  }

  /** Remembers ids Kafka has just acknowledged, here and for the other replicas. */
  public void remember(List<ForwardedId> ids) {
    if (ids.isEmpty()) {
      return;
    }
    recent.add(ids, System.currentTimeMillis());
    publisher.publishForwarded(ForwardedId.pack(ids), replica);
  }

  /** Whether the read of the topic has reached where its end was at startup. */
  public boolean caughtUp() {
    return caughtUp;
  }

  /** How many ids are held. */
  public int size() {
    return recent.size();
  }

  /** Reads the topic from the window's start on, for as long as the service runs. */
  private void follow() {
    while (!closed) {
      try (KafkaConsumer<byte[], byte[]> reader =
          new KafkaConsumer<>(
              consumerSettings, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
        consumer = reader;
        Map<TopicPartition, Long> catchUpTo = seekToWindow(reader);
        while (!closed) {
          for (ConsumerRecord<byte[], byte[]> record : reader.poll(POLL)) {
            add(record);
          }
          if (!caughtUp && reachedAll(reader, catchUpTo)) {
            caughtUp = true;
            LOG.infof("Read the forwarded messageIds of the window: %d held", recent.size());
          }
        }
      } catch (WakeupException e) {
        // closing
      } catch (RuntimeException e) {
        // The check goes on with what it holds; a gap only lets a duplicate through
        LOG.warnf("Reading %s failed, starting over: %s", Topics.COLLECTOR_FORWARDED, e);
        pause();
      }
    }
  }

  /**
   * Assigns every partition at the first record of the window, or later where the window holds more
   * records than ids can be kept (each record holds at least one); returns the end offsets of now.
   */
  private Map<TopicPartition, Long> seekToWindow(KafkaConsumer<byte[], byte[]> reader) {
    List<PartitionInfo> partitions = reader.partitionsFor(Topics.COLLECTOR_FORWARDED);
    List<TopicPartition> assigned =
        partitions.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
    reader.assign(assigned);
    Map<TopicPartition, Long> since = new HashMap<>();
    long start = System.currentTimeMillis() - window.toMillis();
    assigned.forEach(partition -> since.put(partition, start));
    Map<TopicPartition, OffsetAndTimestamp> first = reader.offsetsForTimes(since);
    Map<TopicPartition, Long> ends = reader.endOffsets(assigned);
    long mostPerPartition = Math.max(1, recent.capacity() / Math.max(1, assigned.size()));
    for (TopicPartition partition : assigned) {
      long end = ends.get(partition);
      OffsetAndTimestamp inWindow = first.get(partition);
      long from = inWindow == null ? end : inWindow.offset();
      reader.seek(partition, Math.max(from, end - mostPerPartition));
    }
    return ends;
  }

  private boolean reachedAll(KafkaConsumer<byte[], byte[]> reader, Map<TopicPartition, Long> ends) {
    return ends.entrySet().stream()
        .allMatch(end -> reader.position(end.getKey()) >= end.getValue());
  }

  private void add(ConsumerRecord<byte[], byte[]> record) {
    Header writer = record.headers().lastHeader(REPLICA_HEADER);
    if (writer != null && Arrays.equals(writer.value(), replica.value())) {
      return; // added when this process forwarded them
    }
    recent.add(ForwardedId.unpack(record.value()), record.timestamp());
  }

  private void pause() {
    try {
      Thread.sleep(POLL.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      closed = true;
    }
  }
}
