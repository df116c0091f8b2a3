package io.cdp.bench;

import io.cdp.bench.SegmentPayloads.KeyedRecord;
import io.cdp.contracts.Topics;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The ceiling for the collector: one Kafka producer with the collector's producer settings sends
 * the records the collector would write for the benchmark's events, serialized once beforehand, as
 * fast as the producer takes them. Counts the events the broker acknowledged in the window.
 */
final class KafkaRawPhase implements Phase {

  static final String NAME = "kafka_raw";

  /** Distinct records cycled through; enough that batches are not one record repeated. */
  private static final int RECORDS = 1_000;

  @Override
  public String name() {
    return NAME;
  }

  /** Both phases warm up as long, so they are compared at the same point of the broker's run. */
  @Override
  public Duration warmup(BenchSettings settings) {
    return settings.collectorWarmup();
  }

  @Override
  public List<PhaseResult> run(BenchContext context) throws Exception {
    BenchSettings settings = context.settings();
    Map<String, Object> collectorSettings = CollectorProducerSettings.read(context.root());
    Map<String, Object> config = new LinkedHashMap<>(collectorSettings);
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, context.kafkaBootstrapServers());
    // A source id of the collector's shape (a UUID), so the records have the collector's size
    List<KeyedRecord> records =
        new SegmentPayloads(1, 0x6b61666b).rawRecords(RECORDS, UUID.randomUUID().toString());

    LongAdder measured = new LongAdder();
    LongAdder acknowledged = new LongAdder();
    AtomicReference<Exception> failure = new AtomicReference<>();
    LoadWindow window = LoadWindow.startingNow(warmup(settings), settings.measured());
    long before = context.endOffsets(Topics.EVENTS_RAW);
    ProcessUsage usage = ProcessUsage.during(window, context.processes());
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer())) {
      for (long sent = 0; window.running(System.nanoTime()) && failure.get() == null; sent++) {
        KeyedRecord record = records.get((int) (sent % RECORDS));
        producer.send(
            new ProducerRecord<>(Topics.EVENTS_RAW, record.key(), record.value()),
            (metadata, error) -> {
              if (error != null) {
                failure.compareAndSet(null, error);
                return;
              }
              acknowledged.increment();
              if (window.measuring(System.nanoTime())) {
                measured.increment();
              }
            });
      }
      producer.flush();
    }
    if (failure.get() != null) {
      throw new IllegalStateException("The raw producer failed", failure.get());
    }
    long grown = context.endOffsets(Topics.EVENTS_RAW) - before;
    if (grown < acknowledged.sum()) {
      throw new IllegalStateException(
          "The topic grew by " + grown + " records, fewer than " + acknowledged.sum() + " acks");
    }

    Map<String, Object> details = new LinkedHashMap<>();
    details.put("acknowledged_events", acknowledged.sum());
    details.put("record_bytes", Math.round(context.recentRecordBytes(Topics.EVENTS_RAW)));
    details.put("processes", usage.result());
    details.put("load_average_1m", Results.loadAverage());
    details.put("producer_settings", collectorSettings);
    return List.of(
        new PhaseResult(
            NAME,
            "1 producer thread, as fast as the producer accepts",
            1,
            warmup(settings).toSeconds(),
            window.measuredSeconds(),
            measured.sum(),
            details,
            Map.of()));
  }
}
