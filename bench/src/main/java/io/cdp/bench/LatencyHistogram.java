package io.cdp.bench;

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
}
