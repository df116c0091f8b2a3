package io.cdp.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
  void subMicrosecondSamplesCountAsOneMicrosecond() {
    LatencyHistogram histogram = new LatencyHistogram();
    histogram.recordNanos(10);
    assertEquals(0.001, histogram.percentileMillis(50), 1e-9);
  }
}
