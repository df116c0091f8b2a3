package io.cdp.bench;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * How long and how hard the benchmarks run, from the environment.
 *
 * @param warmup load before measuring ({@code CDP_BENCH_WARMUP_SECONDS}, 10)
 * @param collectorWarmup load before measuring in the kafka_raw and collector phases ({@code
 *     CDP_BENCH_COLLECTOR_WARMUP_SECONDS}, 60): the collector's hot path at full load is still
 *     being compiled after 10 s here (16 µs of its CPU per event at 10 s, 5 µs after 60 s)
 * @param measured the measured window of each phase ({@code CDP_BENCH_SECONDS}, 20)
 * @param connections concurrent HTTP clients ({@code CDP_BENCH_CONNECTIONS}, 64)
 * @param batchEvents events per {@code /v1/batch} request (100)
 * @param profile record each started service with Java Flight Recorder into {@code
 *     target/bench/<service>.jfr} ({@code CDP_BENCH_PROFILE=true})
 * @param lookupRates the fixed rates of profile lookups, per second ({@code
 *     CDP_BENCH_LOOKUP_RATES}, {@code 1000,5000})
 * @param identityRate the fixed rate of the identity latency runs, events per second ({@code
 *     CDP_BENCH_IDENTITY_RATE}); 0 (the default) takes half the throughput just measured
 * @param pipelineRate the fixed rate of the pipeline's event-to-delivery run, events per second
 *     ({@code CDP_BENCH_PIPELINE_RATE}); 0 (the default) takes half the end-to-end throughput just
 *     measured, at most 2,000
 * @param serviceJvmOptions more JVM options for the services under test, space-separated ({@code
 *     CDP_BENCH_SERVICE_JVM}, none), e.g. to compare JIT or GC settings
 */
record BenchSettings(
    Duration warmup,
    Duration collectorWarmup,
    Duration measured,
    int connections,
    int batchEvents,
    boolean profile,
    List<Integer> lookupRates,
    int identityRate,
    int pipelineRate,
    List<String> serviceJvmOptions) {

  static BenchSettings fromEnv(Map<String, String> env) {
    return new BenchSettings(
        Duration.ofSeconds(Long.parseLong(env.getOrDefault("CDP_BENCH_WARMUP_SECONDS", "10"))),
        Duration.ofSeconds(
            Long.parseLong(env.getOrDefault("CDP_BENCH_COLLECTOR_WARMUP_SECONDS", "60"))),
        Duration.ofSeconds(Long.parseLong(env.getOrDefault("CDP_BENCH_SECONDS", "20"))),
        Integer.parseInt(env.getOrDefault("CDP_BENCH_CONNECTIONS", "64")),
        100,
        Boolean.parseBoolean(env.getOrDefault("CDP_BENCH_PROFILE", "false")),
        Arrays.stream(env.getOrDefault("CDP_BENCH_LOOKUP_RATES", "1000,5000").split(","))
            .map(String::trim)
            .map(Integer::valueOf)
            .toList(),
        Integer.parseInt(env.getOrDefault("CDP_BENCH_IDENTITY_RATE", "0")),
        Integer.parseInt(env.getOrDefault("CDP_BENCH_PIPELINE_RATE", "0")),
        Arrays.stream(env.getOrDefault("CDP_BENCH_SERVICE_JVM", "").trim().split("\\s+"))
            .filter(option -> !option.isEmpty())
            .toList());
  }
}
