package io.cdp.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The CPU each process of a run used during a measured window, in cores (CPU seconds per second:
 * 1.0 is one core busy all the time), and its resident memory at the end. On a machine shared by
 * the load generator, the broker and the services, this shows who took the cores.
 */
final class ProcessUsage {

  private final Map<String, ProcessHandle> processes;
  private final Map<String, Duration> startCpu = new LinkedHashMap<>();
  private long startNanos;

  /** Samples a known window in the background; absent when measuring until {@link #result}. */
  private Thread sampler;

  private Map<String, Object> usage;

  private ProcessUsage(Map<String, ProcessHandle> processes) {
    this.processes = processes;
  }

  /** Starts measuring {@code processes} (by name) over {@code window}. */
  static ProcessUsage during(LoadWindow window, Map<String, ProcessHandle> processes) {
    ProcessUsage usage = new ProcessUsage(processes);
    usage.sampler =
        new Thread(
            () -> {
              sleepUntil(window.measureFromNanos());
              usage.begin();
              sleepUntil(window.endNanos());
              usage.usage = usage.sinceBegin();
            },
            "process-usage");
    usage.sampler.setDaemon(true);
    usage.sampler.start();
    return usage;
  }

  /**
   * Starts measuring {@code processes} now, until {@link #result()} is called: for work whose end
   * is not known beforehand (a backlog being consumed).
   */
  static ProcessUsage startingNow(Map<String, ProcessHandle> processes) {
    ProcessUsage usage = new ProcessUsage(processes);
    usage.begin();
    return usage;
  }

  /**
   * Per process, cores used and RSS in MB: over the window (waiting for it to end), or from the
   * start until now.
   */
  Map<String, Object> result() throws InterruptedException {
    if (sampler == null) {
      return sinceBegin();
    }
    sampler.join();
    return usage;
  }

  private void begin() {
    startNanos = System.nanoTime();
    processes.forEach((name, process) -> startCpu.put(name, cpu(process)));
  }

  private Map<String, Object> sinceBegin() {
    double seconds = (System.nanoTime() - startNanos) / 1e9;
    Map<String, Object> figures = new LinkedHashMap<>();
    processes.forEach(
        (name, process) -> {
          Map<String, Object> one = new LinkedHashMap<>();
          double cpuSeconds = (cpu(process).toNanos() - startCpu.get(name).toNanos()) / 1e9;
          one.put("cpu_cores", Math.round(100 * cpuSeconds / seconds) / 100.0);
          rssMb(process).ifPresent(rss -> one.put("rss_mb", rss));
          figures.put(name, one);
        });
    return figures;
  }

  private static Duration cpu(ProcessHandle process) {
    return process.info().totalCpuDuration().orElse(Duration.ZERO);
  }

  /** VmRSS from /proc (Linux); empty elsewhere. */
  private static Optional<Long> rssMb(ProcessHandle process) {
    Path status = Path.of("/proc", Long.toString(process.pid()), "status");
    try {
      return Files.readAllLines(status).stream()
          .filter(line -> line.startsWith("VmRSS:"))
          .map(line -> Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024)
          .findFirst();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private static void sleepUntil(long nanos) {
    long left;
    while ((left = nanos - System.nanoTime()) > 0) {
      try {
        Thread.sleep(Math.max(1, left / 1_000_000));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
