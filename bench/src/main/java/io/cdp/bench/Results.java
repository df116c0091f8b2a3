package io.cdp.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.sun.management.OperatingSystemMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The one place results are written: {@code target/bench/results.json} (the machine, then {@code
 * <measurement>_events_per_s} for each measurement and every measurement's headline figures, then
 * each measurement in full) and the table printed at the end. The collector's ratio is to the
 * {@code kafka_raw} phase of the same run, when it ran.
 */
final class Results {

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final String command;
  private final Map<String, Object> machine;
  private final List<PhaseResult> phases;

  /**
   * @param machine {@link #machine()} as it was when the run started
   */
  Results(String command, Map<String, Object> machine, List<PhaseResult> phases) {
    this.command = command;
    this.machine = machine;
    this.phases = phases;
  }

  void write(Path file) throws IOException {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("machine", machine);
    root.put("command", command);
    for (PhaseResult phase : phases) {
      root.put(phase.name() + "_events_per_s", Math.round(phase.eventsPerSecond()));
    }
    for (PhaseResult phase : phases) {
      root.putAll(phase.headline());
    }
    Map<String, Object> byName = new LinkedHashMap<>();
    for (PhaseResult phase : phases) {
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("load", phase.load());
      entry.put("concurrency", phase.concurrency());
      entry.put("warmup_s", phase.warmupSeconds());
      entry.put("duration_s", phase.measuredSeconds());
      entry.put("events", phase.events());
      entry.put("events_per_s", Math.round(phase.eventsPerSecond()));
      ratio(phase).ifPresent(ratio -> entry.put("ratio_to_kafka_raw", round(ratio, 3)));
      entry.putAll(phase.details());
      byName.put(phase.name(), entry);
    }
    root.put("phases", byName);
    Files.createDirectories(file.getParent());
    JSON.writeValue(file.toFile(), root);
  }

  /**
   * One line per measurement: events (or answered requests) per second, the ratio to the raw
   * producer, request rate and latency.
   */
  String table() {
    StringBuilder table = new StringBuilder();
    String format = "%-20s %10s %6s %7s %8s %8s %9s  %s%n";
    table.append(
        String.format(
            format, "phase", "events/s", "ratio", "req/s", "p50 ms", "p99 ms", "p99.9 ms", "load"));
    for (PhaseResult phase : phases) {
      Map<String, Object> details = phase.details();
      table.append(
          String.format(
              format,
              phase.name(),
              String.format("%,d", Math.round(phase.eventsPerSecond())),
              ratio(phase).map(r -> String.format("%.0f%%", 100 * r)).orElse("-"),
              details.getOrDefault("requests_per_s", "-"),
              details.getOrDefault("p50_ms", "-"),
              details.getOrDefault("p99_ms", "-"),
              details.getOrDefault("p999_ms", "-"),
              phase.load()));
    }
    return table.toString();
  }

  /** Only the collector writes what the raw producer writes: a ratio elsewhere means nothing. */
  private Optional<Double> ratio(PhaseResult phase) {
    if (!phase.name().equals(KafkaRawPhase.NAME) && !phase.name().equals(CollectorPhase.NAME)) {
      return Optional.empty();
    }
    return phases.stream()
        .filter(p -> p.name().equals(KafkaRawPhase.NAME))
        .findFirst()
        .map(raw -> phase.eventsPerSecond() / raw.eventsPerSecond());
  }

  /** What the figures are measured on, and how busy it is right now. */
  static Map<String, Object> machine() throws IOException {
    Map<String, Object> machine = new LinkedHashMap<>();
    machine.put("cores", Runtime.getRuntime().availableProcessors());
    machine.put("cpu", cpuModel());
    machine.put("memory_mb", physicalMemoryMb());
    machine.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
    machine.put(
        "jvm", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
    machine.put("date", Instant.now().toString());
    machine.put("load_average_1m", loadAverage());
    return machine;
  }

  /**
   * The machine's 1-minute load average now. Other work on the machine skews every figure: this
   * tells whether it was quiet; each measurement records it at its end.
   */
  static double loadAverage() {
    return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
  }

  private static String cpuModel() throws IOException {
    Path cpuinfo = Path.of("/proc/cpuinfo");
    if (!Files.exists(cpuinfo)) {
      return "unknown";
    }
    return Files.readAllLines(cpuinfo).stream()
        .filter(line -> line.startsWith("model name"))
        .map(line -> line.substring(line.indexOf(':') + 1).trim())
        .findFirst()
        .orElse("unknown");
  }

  private static long physicalMemoryMb() {
    return ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
            .getTotalMemorySize()
        / (1024 * 1024);
  }

  private static double round(double value, int digits) {
    double scale = Math.pow(10, digits);
    return Math.round(value * scale) / scale;
  }
}
