package io.cdp.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BenchCommandTest {

  @Test
  void theCommandRepeatsTheRunWithItsBenchSettingsQuotedWhereNeeded() {
    Map<String, String> env =
        Map.of(
            "PATH", "/usr/bin",
            "CDP_BENCH_WARMUP_SECONDS", "60",
            "CDP_BENCH_SERVICE_JVM", "-XX:TieredStopAtLevel=1 -Xss512k");

    assertEquals(
        "CDP_BENCH_SERVICE_JVM='-XX:TieredStopAtLevel=1 -Xss512k' CDP_BENCH_WARMUP_SECONDS=60"
            + " ./cdp bench pipeline",
        Bench.command(env, new String[] {"pipeline"}));
    assertEquals("./cdp bench", Bench.command(Map.of(), new String[0]));
  }

  @Test
  void serviceJvmOptionsAreSplitOnSpacesAndNoneByDefault() {
    assertEquals(
        List.of("-XX:TieredStopAtLevel=1", "-Xss512k"),
        BenchSettings.fromEnv(
                Map.of("CDP_BENCH_SERVICE_JVM", " -XX:TieredStopAtLevel=1  -Xss512k "))
            .serviceJvmOptions());
    assertEquals(List.of(), BenchSettings.fromEnv(Map.of()).serviceJvmOptions());
  }
}
