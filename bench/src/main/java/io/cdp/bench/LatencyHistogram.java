package io.cdp.bench;

import java.util.LinkedHashMap;
import java.util.Map;
import org.HdrHistogram.ConcurrentHistogram;

/**
 * Latencies recorded from many threads at once, read back as percentiles in milliseconds. Values
 * are kept in microseconds with three significant digits (HdrHistogram), so a percentile is exact
 * to 0.1%, whatever the number of samples.
 */
public final class LatencyHistogram {

  private final ConcurrentHistogram micros = new ConcurrentHistogram(3);

  /** Records one latency. */
  public void recordNanos(long nanos) {
    micros.recordValue(Math.max(1, nanos / 1_000));
  }

  public long count() {
    return micros.getTotalCount();
  }

  /** The latency below which {@code percentile} percent of the samples lie, in milliseconds. */
  public double percentileMillis(double percentile) {
    return micros.getValueAtPercentile(percentile) / 1_000.0;
  }

  public double maxMillis() {
    return micros.getMaxValue() / 1_000.0;
  }

  /**
   * The figures every latency is reported with in results.json: {@code samples}, {@code p50_ms},
   * {@code p99_ms}, {@code p999_ms} and {@code max_ms}.
   */
  public Map<String, Object> percentiles() {
    Map<String, Object> figures = new LinkedHashMap<>();
    figures.put("samples", count());
    figures.put("p50_ms", percentileMillis(50));
    figures.put("p99_ms", percentileMillis(99));
    figures.put("p999_ms", percentileMillis(99.9));
    figures.put("max_ms", maxMillis());
    return figures;
  }
}
