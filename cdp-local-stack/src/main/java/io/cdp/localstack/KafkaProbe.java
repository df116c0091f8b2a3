package io.cdp.localstack;

import com.google.protobuf.MessageLite;
import io.cdp.contracts.kafka.ProtoSerializer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * What tests use to talk to the stack's broker directly: write a payload to a topic as another
 * service would, or wait for the record a service should have written.
 */
public final class KafkaProbe {

  private final String bootstrapServers;

  public KafkaProbe(String bootstrapServers) {
    this.bootstrapServers = bootstrapServers;
  }

  /** A probe on the test stack of this JVM. */
  public static KafkaProbe ofTestStack() {
    return new KafkaProbe(LocalStackResource.kafkaBootstrapServers());
  }

  /** Writes one record and waits for the broker's acknowledgement. */
  public void send(String topic, String key, MessageLite value) {
    sendAll(topic, List.of(Map.entry(key, value)));
  }

  /**
   * Writes the records (key, value) in order through one producer without waiting between them, so
   * a consumer that keeps up usually gets them in one poll, then waits for every acknowledgement.
   */
  public void sendAll(String topic, List<Map.Entry<String, ? extends MessageLite>> records) {
    Map<String, Object> config =
        Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
            bootstrapServers,
            ProducerConfig.ACKS_CONFIG,
            "all");
    try (var producer =
        new KafkaProducer<String, MessageLite>(
            config, new StringSerializer(), new ProtoSerializer())) {
      List<Future<RecordMetadata>> sent = new ArrayList<>();
      for (Map.Entry<String, ? extends MessageLite> record : records) {
        sent.add(producer.send(new ProducerRecord<>(topic, record.getKey(), record.getValue())));
      }
      for (Future<RecordMetadata> ack : sent) {
        ack.get();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("Could not write to " + topic, e.getCause());
    }
  }

  /**
   * Reads {@code topic} from the beginning until a record's value matches, failing after {@code
   * timeout}. Tombstones are skipped.
   */
  public <T> ConsumerRecord<String, T> await(
      String topic, Deserializer<T> deserializer, Predicate<T> match, Duration timeout) {
    return awaitRecord(
        topic,
        deserializer,
        record -> record.value() != null && match.test(record.value()),
        timeout);
  }

  /**
   * Reads {@code topic} from the beginning until a record (key, value or tombstone) matches,
   * failing after {@code timeout}.
   */
  public <T> ConsumerRecord<String, T> awaitRecord(
      String topic,
      Deserializer<T> deserializer,
      Predicate<ConsumerRecord<String, T>> match,
      Duration timeout) {
    Map<String, Object> config =
        Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
            bootstrapServers,
            ConsumerConfig.GROUP_ID_CONFIG,
            "probe-" + UUID.randomUUID(),
            ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
            "earliest");
    try (var consumer = new KafkaConsumer<>(config, new StringDeserializer(), deserializer)) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + timeout.toNanos();
      while (System.nanoTime() < deadline) {
        for (ConsumerRecord<String, T> record : consumer.poll(Duration.ofMillis(200))) {
          if (match.test(record)) {
            return record;
          }
        }
      }
    }
    throw new AssertionError("No matching record on " + topic + " within " + timeout);
  }
}
