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
  private final Thread sampler;
  private final Map<String, Object> usage = new LinkedHashMap<>();

  private ProcessUsage(Map<String, ProcessHandle> processes, LoadWindow window) {
    this.processes = processes;
    this.sampler = new Thread(() -> sample(window), "process-usage");
    sampler.setDaemon(true);
    sampler.start();
  }

  /** Starts measuring {@code processes} (by name) over {@code window}. */
  static ProcessUsage during(LoadWindow window, Map<String, ProcessHandle> processes) {
    return new ProcessUsage(processes, window);
  }

  /** Waits for the window to end and returns, per process, cores used and RSS in MB. */
  Map<String, Object> result() throws InterruptedException {
    sampler.join();
    return usage;
  }

  private void sample(LoadWindow window) {
    sleepUntil(window.measureFromNanos());
    Map<String, Duration> start = new LinkedHashMap<>();
    processes.forEach((name, process) -> start.put(name, cpu(process)));
    sleepUntil(window.endNanos());
    processes.forEach(
        (name, process) -> {
          Map<String, Object> figures = new LinkedHashMap<>();
          double cpuSeconds = (cpu(process).toNanos() - start.get(name).toNanos()) / 1e9;
          figures.put("cpu_cores", Math.round(100 * cpuSeconds / window.measuredSeconds()) / 100.0);
          rssMb(process).ifPresent(rss -> figures.put("rss_mb", rss));
          usage.put(name, figures);
        });
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
