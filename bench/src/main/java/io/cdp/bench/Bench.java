package io.cdp.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code ./cdp bench [collector|identity|profile ...]}: starts a fresh local stack on free ports,
 * runs the chosen benchmarks (all of them, in the order events flow, when none is named) one after
 * the other, writes {@code target/bench/results.json} and prints a table. See docs/benchmarks.md.
 */
public final class Bench {

  private static final List<String> ALL =
      List.of("collector", "identity", "profile", "connector", "consent", "audience", "pipeline");

  public static void main(String[] args) throws Exception {
    List<String> benchmarks = args.length == 0 ? ALL : List.of(args);
    List<Phase> phases = new ArrayList<>();
    for (String benchmark : benchmarks) {
      switch (benchmark) {
        case "collector" -> phases.addAll(List.of(new KafkaRawPhase(), new CollectorPhase()));
        case "identity" -> phases.add(new IdentityPhase());
        case "profile" -> phases.add(new ProfilePhase());
        case "connector" -> phases.add(new ConnectorPhase());
        case "consent" -> phases.add(new ConsentPhase());
        case "audience" -> phases.add(new AudiencePhase());
        case "pipeline" -> phases.add(new PipelinePhase());
        default -> {
          System.err.println(
              "usage: ./cdp bench [collector|identity|profile|connector|consent|audience|pipeline ...]");
          System.exit(2);
        }
      }
    }
    Path root = Path.of("").toAbsolutePath();
    Path outDir = root.resolve("target/bench");
    BenchSettings settings = BenchSettings.fromEnv(System.getenv());

    Map<String, Object> machine = Results.machine();
    List<PhaseResult> results = new ArrayList<>();
    System.out.println("Starting Kafka, PostgreSQL and Infinispan on free ports...");
    try (BenchContext context = BenchContext.start(root, outDir, settings)) {
      for (Phase phase : phases) {
        System.out.printf(
            "Phase %s (%d s warm-up, %d s measured per load)...%n",
            phase.name(), phase.warmup(settings).toSeconds(), settings.measured().toSeconds());
        for (PhaseResult result : phase.run(context)) {
          System.out.printf(
              "  %s: %,d events/s%n", result.name(), Math.round(result.eventsPerSecond()));
          results.add(result);
        }
      }
    }
    Results report = new Results(command(System.getenv(), args), machine, results);
    Path file = outDir.resolve("results.json");
    report.write(file);
    System.out.printf("%n%s%nResults: %s%n", report.table(), root.relativize(file));
    System.exit(0);
  }

  /** The command that repeats this run: its {@code CDP_BENCH_*} settings, then the phases. */
  static String command(Map<String, String> env, String[] args) {
    List<String> words = new ArrayList<>();
    env.entrySet().stream()
        .filter(e -> e.getKey().startsWith("CDP_BENCH_"))
        .sorted(Map.Entry.comparingByKey())
        .forEach(
            e ->
                words.add(
                    e.getKey()
                        + "="
                        + (e.getValue().matches("[\\w.,:=+-]*")
                            ? e.getValue()
                            : "'" + e.getValue() + "'")));
    words.add("./cdp bench");
    words.addAll(List.of(args));
    return String.join(" ", words);
  }

  private Bench() {}
}
