package io.cdp.identity;

import io.cdp.contracts.Topics;
import io.cdp.contracts.identity.v1.IdentityMerge;
import io.cdp.contracts.kafka.Deserializers;
import io.cdp.localstack.LocalStackResource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/** The merges on {@code cdp.identity.merges}. */
final class MergeRecords {

  private MergeRecords() {}

  /**
   * Every matching merge written so far. The service publishes a merge before it answers the call
   * or publishes the event that caused it, so once those are seen this list is complete.
   */
  static List<IdentityMerge> upToNow(Predicate<IdentityMerge> match) {
    Map<String, Object> config =
        Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
            LocalStackResource.kafkaBootstrapServers(),
            ConsumerConfig.GROUP_ID_CONFIG,
            "probe-" + UUID.randomUUID());
    try (var consumer =
        new KafkaConsumer<>(
            config, new StringDeserializer(), new Deserializers.IdentityMergeDeserializer())) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(Topics.IDENTITY_MERGES).stream()
              .map(p -> new TopicPartition(p.topic(), p.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      List<IdentityMerge> found = new ArrayList<>();
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("Could not read " + Topics.IDENTITY_MERGES + " to its end");
        }
        consumer
            .poll(Duration.ofMillis(200))
            .forEach(
                r -> {
                  if (r.value() != null && match.test(r.value())) {
                    found.add(r.value());
                  }
                });
      }
      return found;
    }
  }

  /** The merges that name this profile, as survivor or as merged. */
  static List<IdentityMerge> involving(String profileId) {
    return upToNow(
        m ->
            m.getSurvivingProfileId().equals(profileId)
                || m.getMergedProfileIdsList().contains(profileId));
  }
}
