package io.cdp.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LatencyHistogramTest {

  @Test
  void percentilesOfOneToAThousandMillisecondsAreTheMatchingSample() {
    LatencyHistogram histogram = new LatencyHistogram();
    for (int ms = 1000; ms >= 1; ms--) {
      histogram.recordNanos(ms * 1_000_000L);
    }
    assertEquals(1000, histogram.count());
    // three significant digits: within 0.1% of the exact sample
    assertEquals(500, histogram.percentileMillis(50), 0.5);
    assertEquals(990, histogram.percentileMillis(99), 1);
    assertEquals(1000, histogram.maxMillis(), 1);
  }

  @Test
  void reportedPercentilesNameTheirUnitAndIncludeTheTail() {
    LatencyHistogram histogram = new LatencyHistogram();
    for (int ms = 1; ms <= 1000; ms++) {
      histogram.recordNanos(ms * 1_000_000L);
    }
    Map<String, Object> figures = histogram.percentiles();
    assertEquals(
        List.of("samples", "p50_ms", "p99_ms", "p999_ms", "max_ms"), List.copyOf(figures.keySet()));
    assertEquals(1000L, figures.get("samples"));
    assertEquals(999, (double) figures.get("p999_ms"), 1);
  }

  @Test
  void subMicrosecondSamplesCountAsOneMicrosecond() {
    LatencyHistogram histogram = new LatencyHistogram();
    histogram.recordNanos(10);
    assertEquals(0.001, histogram.percentileMillis(50), 1e-9);
  }
}
