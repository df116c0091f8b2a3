package io.cdp.bench;

import io.cdp.localstack.ChildProcess;
import io.cdp.localstack.LocalStack;
import io.cdp.localstack.Ports;
import io.cdp.localstack.ServiceProcess;
import io.cdp.localstack.StackSettings;
import io.cdp.localstack.SuiteService;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * What every phase runs against: a fresh local stack on free ports (so a running {@code ./cdp up}
 * is never disturbed) with its data in {@code target/bench/data}, deleted at the end, and the
 * services the phases start, with their logs in {@code target/bench/logs}.
 */
final class BenchContext implements AutoCloseable {

  private final Path root;
  private final Path outDir;
  private final BenchSettings settings;
  private final LocalStack stack;
  private final String adminToken;

  /** Each service's port for the run, so that every service's gRPC clients know them all. */
  private final Map<SuiteService, Integer> ports = new EnumMap<>(SuiteService.class);

  private BenchContext(Path root, Path outDir, BenchSettings settings, LocalStack stack) {
    SuiteService.all().forEach(service -> ports.put(service, Ports.free()));
    this.root = root;
    this.outDir = outDir;
    this.settings = settings;
    this.stack = stack;
    byte[] token = new byte[24];
    new SecureRandom().nextBytes(token);
    this.adminToken = HexFormat.of().formatHex(token);
  }

  /** Starts the stack for a run of the project in {@code root}, writing below {@code outDir}. */
  static BenchContext start(Path root, Path outDir, BenchSettings settings) throws IOException {
    Path dataDir = outDir.resolve("data");
    deleteRecursively(dataDir); // left by a run that was killed
    deleteRecursively(outDir.resolve("logs"));
    Files.createDirectories(dataDir);
    StackSettings stackSettings =
        new StackSettings(
            dataDir,
            false,
            Ports.free(),
            Ports.free(),
            Ports.free(),
            Ports.free(),
            Ports.free(),
            6, // as ./cdp up creates them
            Optional.empty()); // always a fresh embedded PostgreSQL, never the user's server
    return new BenchContext(root, outDir, settings, LocalStack.start(stackSettings));
  }

  Path root() {
    return root;
  }

  BenchSettings settings() {
    return settings;
  }

  String adminToken() {
    return adminToken;
  }

  String kafkaBootstrapServers() {
    return stack.kafkaBootstrapServers();
  }

  /**
   * Starts {@code service} on its port for the run, against the stack and with its gRPC clients
   * pointed at the other services' ports, and waits until it is ready; with {@link
   * BenchSettings#profile()} it records a flight recording into {@code target/bench/<module>.jfr},
   * written when it stops.
   */
  ServiceProcess startService(SuiteService service) {
    return startService(service, Map.of());
  }

  /** {@link #startService(SuiteService)} with settings of this run on top ({@code overrides}). */
  ServiceProcess startService(SuiteService service, Map<String, String> overrides) {
    return startService(service, overrides, List.of());
  }

  /**
   * {@link #startService(SuiteService, Map)} with {@code jvmOptions}, before the run's own ({@code
   * CDP_BENCH_SERVICE_JVM}), which win.
   */
  ServiceProcess startService(
      SuiteService service, Map<String, String> overrides, List<String> jvmOptions) {
    Map<String, String> config = new LinkedHashMap<>(stack.serviceConfig());
    config.put("cdp.admin-token", adminToken);
    config.putAll(SuiteService.peers(ports));
    config.putAll(overrides);
    List<String> jvm = new ArrayList<>(jvmOptions);
    jvm.addAll(settings.serviceJvmOptions());
    if (settings.profile()) {
      jvm.add(
          "-XX:StartFlightRecording=settings=profile,dumponexit=true,filename="
              + outDir.resolve(service.module() + ".jfr"));
    }
    ServiceProcess process =
        ServiceProcess.start(
            root, service, ports.get(service), config, jvm, outDir.resolve("logs"));
    try {
      process.awaitReady(Duration.ofMinutes(2));
    } catch (RuntimeException e) {
      process.close();
      throw e;
    }
    return process;
  }

  /**
   * POSTs {@code json} to {@code path} of {@code service} with the admin token and returns the
   * answer's body, failing unless it is 201 (created).
   */
  String adminPost(ServiceProcess service, String path, String json)
      throws IOException, InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(service.url() + path))
            .header("Authorization", "Bearer " + adminToken)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json))
            .build();
    HttpResponse<String> response =
        HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 201) {
      throw new IllegalStateException(
          "POST " + path + " answered " + response.statusCode() + ": " + response.body());
    }
    return response.body();
  }

  /**
   * The processes of the run by name: this one ({@code bench}), Kafka, Infinispan and {@code more}.
   */
  Map<String, ProcessHandle> processes(ServiceProcess... more) {
    Map<String, ProcessHandle> processes = new LinkedHashMap<>();
    processes.put("bench", ProcessHandle.current());
    for (ChildProcess server : stack.processes()) {
      ProcessHandle.of(server.pid()).ifPresent(handle -> processes.put(server.name(), handle));
    }
    for (ServiceProcess service : more) {
      ProcessHandle.of(service.pid())
          .ifPresent(handle -> processes.put(service.service().module(), handle));
    }
    return processes;
  }

  /**
   * Saves what {@code service} reports on {@code /q/metrics} (Prometheus text) into {@code
   * target/bench/<module>.metrics}, for looking into a result afterwards.
   */
  void saveMetrics(ServiceProcess service) throws IOException, InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(URI.create(service.url() + "/q/metrics")).build();
    HttpClient.newHttpClient()
        .send(
            request,
            HttpResponse.BodyHandlers.ofFile(
                outDir.resolve(service.service().module() + ".metrics")));
  }

  /** The sum of the end offsets of {@code topic}'s partitions: how many records it ever took. */
  long endOffsets(String topic) {
    try (KafkaConsumer<byte[], byte[]> consumer = consumer()) {
      return total(consumer.endOffsets(partitions(consumer, topic)));
    }
  }

  /** The sum of offsets of several partitions. */
  static long total(Map<TopicPartition, Long> offsets) {
    return offsets.values().stream().mapToLong(Long::longValue).sum();
  }

  /** The average size (key and value) of the last records of {@code topic}: what was written. */
  double recentRecordBytes(String topic) {
    try (KafkaConsumer<byte[], byte[]> consumer = consumer()) {
      List<TopicPartition> partitions = partitions(consumer, topic);
      consumer.assign(partitions);
      consumer
          .endOffsets(partitions)
          .forEach((partition, end) -> consumer.seek(partition, Math.max(0, end - 100)));
      long records = 0;
      long bytes = 0;
      for (int polls = 0; polls < 20 && records < 100; polls++) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
          records++;
          bytes += record.serializedKeySize() + record.serializedValueSize();
        }
      }
      return records == 0 ? 0 : (double) bytes / records;
    }
  }

  /**
   * Moves consumer group {@code group} to the end of {@code topic}, before its service starts: what
   * earlier phases wrote there is not this phase's load.
   */
  void skipToEnd(String group, String topic) throws Exception {
    try (KafkaConsumer<byte[], byte[]> consumer = consumer();
        Admin admin = admin()) {
      Map<TopicPartition, OffsetAndMetadata> ends =
          consumer.endOffsets(partitions(consumer, topic)).entrySet().stream()
              .collect(
                  Collectors.toMap(
                      Map.Entry::getKey, end -> new OffsetAndMetadata(end.getValue())));
      admin.alterConsumerGroupOffsets(group, ends).all().get();
    }
  }

  /** Offsets committed by {@code group} on {@code topic}, summed over partitions. */
  static long committedOffsets(Admin admin, String group, String topic) throws Exception {
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

  /**
   * Waits until {@code group} has committed {@code offsets} (summed over partitions) of {@code
   * topic}, failing after {@code timeout}.
   */
  static void awaitCommitted(
      Admin admin, String group, String topic, long offsets, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    for (long committed = committedOffsets(admin, group, topic);
        committed < offsets;
        committed = committedOffsets(admin, group, topic)) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            group
                + " committed "
                + committed
                + " of "
                + offsets
                + " offsets of "
                + topic
                + " within "
                + timeout);
      }
      Thread.sleep(200);
    }
  }

  /** A producer as the services configure theirs: every replica acknowledges, no duplicates. */
  KafkaProducer<String, byte[]> producer() {
    return new KafkaProducer<>(
        Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
            kafkaBootstrapServers(),
            ProducerConfig.ACKS_CONFIG,
            "all",
            ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
            true,
            ProducerConfig.LINGER_MS_CONFIG,
            5),
        new StringSerializer(),
        new ByteArraySerializer());
  }

  /**
   * Empties the Infinispan cache {@code cache} through the server's REST API (on the Hot Rod port),
   * as an operator would, and returns how many entries it held.
   */
  long clearCache(String cache) throws IOException, InterruptedException {
    String base = "http://" + stack.infinispanHotRodAddress() + "/rest/v2/caches/" + cache;
    long size = Long.parseLong(infinispan(base + "?action=size", "GET").trim());
    infinispan(base + "?action=clear", "POST");
    long left = Long.parseLong(infinispan(base + "?action=size", "GET").trim());
    if (left != 0) {
      throw new IllegalStateException("Cache " + cache + " still holds " + left + " entries");
    }
    return size;
  }

  private static String infinispan(String url, String method)
      throws IOException, InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(url))
            .method(method, HttpRequest.BodyPublishers.noBody())
            .build();
    HttpResponse<String> response =
        HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() / 100 != 2) {
      throw new IllegalStateException(
          method + " " + url + " answered " + response.statusCode() + ": " + response.body());
    }
    return response.body();
  }

  Admin admin() {
    return Admin.create(
        Map.<String, Object>of(
            AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafkaBootstrapServers()));
  }

  /** A consumer of raw bytes without a group: partitions are assigned, nothing is committed. */
  KafkaConsumer<byte[], byte[]> consumer() {
    return new KafkaConsumer<>(
        Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
            kafkaBootstrapServers(),
            ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
            false),
        new ByteArrayDeserializer(),
        new ByteArrayDeserializer());
  }

  static List<TopicPartition> partitions(KafkaConsumer<?, ?> consumer, String topic) {
    return consumer.partitionsFor(topic).stream()
        .map(PartitionInfo::partition)
        .map(partition -> new TopicPartition(topic, partition))
        .toList();
  }

  @Override
  public void close() {
    stack.close();
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths
          .sorted(Comparator.reverseOrder())
          .forEach(
              path -> {
                try {
                  Files.delete(path);
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
    }
  }
}
