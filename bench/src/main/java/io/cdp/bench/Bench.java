package io.cdp.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code ./cdp bench [collector]}: starts a fresh local stack on free ports, runs the phases of the
 * chosen benchmark one after the other, writes {@code target/bench/results.json} and prints a
 * table. See docs/benchmarks.md.
 */
public final class Bench {

  public static void main(String[] args) throws Exception {
    String benchmark = args.length == 0 ? "collector" : args[0];
    List<Phase> phases =
        switch (benchmark) {
          case "collector" -> List.of(new KafkaRawPhase(), new CollectorPhase());
          default -> {
            System.err.println("usage: ./cdp bench [collector]");
            System.exit(2);
            yield List.of();
          }
        };
    Path root = Path.of("").toAbsolutePath();
    Path outDir = root.resolve("target/bench");
    BenchSettings settings = BenchSettings.fromEnv(System.getenv());

    Map<String, Object> machine = Results.machine();
    List<PhaseResult> results = new ArrayList<>();
    System.out.println("Starting Kafka, PostgreSQL and Infinispan on free ports...");
    try (BenchContext context = BenchContext.start(root, outDir, settings)) {
      for (Phase phase : phases) {
        System.out.printf(
            "Phase %s: %d s warm-up, %d s measured...%n",
            phase.name(), settings.warmup().toSeconds(), settings.measured().toSeconds());
        PhaseResult result = phase.run(context);
        System.out.printf("  %,d events/s%n", Math.round(result.eventsPerSecond()));
        results.add(result);
      }
    }
    Results report = new Results("./cdp bench " + benchmark, machine, results);
    Path file = outDir.resolve("results.json");
    report.write(file);
    System.out.printf("%n%s%nResults: %s%n", report.table(), root.relativize(file));
    System.exit(0);
  }

  private Bench() {}
}
