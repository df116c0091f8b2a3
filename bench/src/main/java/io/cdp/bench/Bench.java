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
            phase.name(), settings.warmup().toSeconds(), settings.measured().toSeconds());
        for (PhaseResult result : phase.run(context)) {
          System.out.printf(
              "  %s: %,d events/s%n", result.name(), Math.round(result.eventsPerSecond()));
          results.add(result);
        }
      }
    }
    Results report =
        new Results(
            String.join(" ", "./cdp bench", String.join(" ", args)).trim(), machine, results);
    Path file = outDir.resolve("results.json");
    report.write(file);
    System.out.printf("%n%s%nResults: %s%n", report.table(), root.relativize(file));
    System.exit(0);
  }

  private Bench() {}
}
