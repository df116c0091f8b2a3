package io.cdp.localstack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cdp.contracts.Topics;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.infinispan.client.hotrod.RemoteCache;
import org.infinispan.client.hotrod.RemoteCacheManager;
import org.infinispan.client.hotrod.configuration.ConfigurationBuilder;
import org.infinispan.commons.configuration.StringConfiguration;
import org.junit.jupiter.api.Test;

/** The stack the services' tests run on: real servers, reachable, with topics and schemas. */
class LocalStackTest {

  private final LocalStack stack = LocalStackResource.stack();

  @Test
  void kafkaHasEveryTopicPartitionedAndTheConsentTopicCompacted() throws Exception {
    try (Admin admin =
        Admin.create(
            Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                (Object) stack.kafkaBootstrapServers()))) {
      List<String> names = Topics.ALL.stream().map(Topics.TopicSpec::name).toList();
      Map<String, TopicDescription> topics = admin.describeTopics(names).allTopicNames().get();
      assertEquals(new HashSet<>(names), topics.keySet());
      topics.values().forEach(t -> assertTrue(t.partitions().size() > 1, t.name()));
      ConfigResource consent =
          new ConfigResource(ConfigResource.Type.TOPIC, Topics.CONSENT_CHANGES);
      String policy =
          admin
              .describeConfigs(List.of(consent))
              .all()
              .get()
              .get(consent)
              .get(TopicConfig.CLEANUP_POLICY_CONFIG)
              .value();
      assertEquals(TopicConfig.CLEANUP_POLICY_COMPACT, policy);
    }
  }

  @Test
  void aRecordWrittenWithAcksAllIsReadBack() {
    String key = UUID.randomUUID().toString();
    Properties producerProps = new Properties();
    producerProps.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrapServers());
    producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
    producerProps.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    try (var producer =
        new KafkaProducer<>(producerProps, new StringSerializer(), new StringSerializer())) {
      producer.send(new ProducerRecord<>(Topics.DELIVERIES_DEAD, key, "hello")).get();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    Properties consumerProps = new Properties();
    consumerProps.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrapServers());
    consumerProps.put(ConsumerConfig.GROUP_ID_CONFIG, "local-stack-test-" + key);
    consumerProps.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    try (var consumer =
        new KafkaConsumer<>(consumerProps, new StringDeserializer(), new StringDeserializer())) {
      consumer.subscribe(List.of(Topics.DELIVERIES_DEAD));
      List<ConsumerRecord<String, String>> found = new ArrayList<>();
      long deadline = System.currentTimeMillis() + 30_000;
      while (found.isEmpty() && System.currentTimeMillis() < deadline) {
        consumer
            .poll(Duration.ofMillis(500))
            .forEach(
                r -> {
                  if (r.key().equals(key)) {
                    found.add(r);
                  }
                });
      }
      assertEquals(1, found.size());
      assertEquals("hello", found.get(0).value());
    }
  }

  @Test
  void postgresHasOneSchemaPerService() throws Exception {
    Map<String, String> config = stack.serviceConfig();
    try (Connection c =
            DriverManager.getConnection(
                stack.jdbcUrl(),
                config.get("quarkus.datasource.username"),
                config.get("quarkus.datasource.password"));
        ResultSet rs =
            c.createStatement()
                .executeQuery("SELECT schema_name FROM information_schema.schemata")) {
      Set<String> schemas = new HashSet<>();
      while (rs.next()) {
        schemas.add(rs.getString(1));
      }
      assertTrue(schemas.containsAll(Postgres.SCHEMAS), schemas.toString());
    }
  }

  @Test
  void infinispanServesADistributedCacheOverHotRod() {
    ConfigurationBuilder builder = new ConfigurationBuilder();
    builder.addServers(stack.infinispanHotRodAddress());
    builder.security().authentication().disable();
    try (RemoteCacheManager manager = new RemoteCacheManager(builder.build())) {
      RemoteCache<String, String> cache =
          manager
              .administration()
              .getOrCreateCache(
                  "local-stack-test",
                  new StringConfiguration(
                      "<distributed-cache><encoding media-type=\"text/plain\"/></distributed-cache>"));
      cache.put("k", "v");
      assertEquals("v", cache.get("k"));
    }
  }
}
