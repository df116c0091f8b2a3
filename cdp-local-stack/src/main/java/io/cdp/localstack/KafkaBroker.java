package io.cdp.localstack;

import io.cdp.contracts.Topics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;

/** One Kafka broker in KRaft combined mode (broker and controller), in its own JVM. */
final class KafkaBroker implements AutoCloseable {

  /** Fixed so a persistent data directory formatted once stays valid. */
  private static final String CLUSTER_ID = "cdpLocalStackKafka0001";

  private final StackSettings settings;
  private ChildProcess process;

  KafkaBroker(StackSettings settings) {
    this.settings = settings;
  }

  String bootstrapServers() {
    return "127.0.0.1:" + settings.kafkaPort();
  }

  void start() {
    Path home = settings.dataDir().resolve("kafka");
    Path logDir = home.resolve("data");
    Path config = home.resolve("server.properties");
    Path log4j = home.resolve("log4j2.properties");
    try {
      Files.createDirectories(logDir);
      Files.writeString(config, serverProperties(logDir));
      Files.writeString(
          log4j,
          """
          rootLogger.level = WARN
          rootLogger.appenderRef.stdout.ref = STDOUT
          appender.stdout.type = Console
          appender.stdout.name = STDOUT
          appender.stdout.layout.type = PatternLayout
          appender.stdout.layout.pattern = %d{ISO8601} %-5p [%c{1}] %m%n
          logger.started.name = kafka.server.KafkaRaftServer
          logger.started.level = INFO
          """);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<String> classpath = Classpaths.of("kafka");
    List<String> jvm =
        List.of("-Xms128m", "-Xmx1g", "-Dlog4j2.configurationFile=" + log4j.toAbsolutePath());
    Path logFile = settings.dataDir().resolve("logs/kafka.log");
    if (!Files.exists(logDir.resolve("meta.properties"))) {
      ChildProcess.runToCompletion(
          ChildProcess.startJava(
              "kafka-storage-format",
              classpath,
              jvm,
              "kafka.tools.StorageTool",
              List.of("format", "-t", CLUSTER_ID, "-c", config.toString(), "--ignore-formatted"),
              logFile),
          Duration.ofMinutes(1));
    }
    process =
        ChildProcess.startJava(
            "kafka", classpath, jvm, "kafka.Kafka", List.of(config.toString()), logFile);
    awaitReady();
    createTopics();
  }

  private String serverProperties(Path logDir) {
    int port = settings.kafkaPort();
    int controller = settings.kafkaControllerPort();
    return String.join(
        "\n",
        "process.roles=broker,controller",
        "node.id=1",
        "controller.quorum.voters=1@127.0.0.1:" + controller,
        "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controller,
        "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
        "controller.listener.names=CONTROLLER",
        "inter.broker.listener.name=PLAINTEXT",
        "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
        "log.dirs=" + logDir.toAbsolutePath(),
        "num.partitions=" + settings.partitions(),
        // One node: every internal topic has a single replica, or consumer groups get nothing.
        "offsets.topic.replication.factor=1",
        "offsets.topic.num.partitions=" + settings.partitions(),
        "transaction.state.log.replication.factor=1",
        "transaction.state.log.min.isr=1",
        "share.coordinator.state.topic.replication.factor=1",
        "share.coordinator.state.topic.min.isr=1",
        "group.initial.rebalance.delay.ms=0",
        "auto.create.topics.enable=false",
        "");
  }

  private void awaitReady() {
    Ports.await(
        "Kafka on " + bootstrapServers(),
        Duration.ofSeconds(90),
        () -> {
          process.checkAlive();
          if (!Ports.listening(settings.kafkaPort())) {
            return false;
          }
          try (Admin admin = admin()) {
            admin.describeCluster().nodes().get(5, TimeUnit.SECONDS);
            return true;
          } catch (Exception e) {
            return false;
          }
        });
  }

  /** Creates every topic of the suite; existing ones are left as they are. */
  private void createTopics() {
    try (Admin admin = admin()) {
      List<NewTopic> topics =
          Topics.ALL.stream()
              .map(
                  spec ->
                      new NewTopic(spec.name(), settings.partitions(), (short) 1)
                          .configs(
                              Map.of(
                                  TopicConfig.CLEANUP_POLICY_CONFIG,
                                  spec.compacted()
                                      ? TopicConfig.CLEANUP_POLICY_COMPACT
                                      : TopicConfig.CLEANUP_POLICY_DELETE)))
              .toList();
      admin
          .createTopics(topics)
          .values()
          .forEach(
              (name, future) -> {
                try {
                  future.get(30, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                  if (!(e.getCause() instanceof TopicExistsException)) {
                    throw new IllegalStateException("Cannot create topic " + name, e.getCause());
                  }
                } catch (Exception e) {
                  throw new IllegalStateException("Cannot create topic " + name, e);
                }
              });
    }
  }

  private Admin admin() {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000);
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10000);
    return Admin.create(props);
  }

  ChildProcess process() {
    return process;
  }

  @Override
  public void close() {
    if (process != null) {
      process.close();
    }
  }
}
