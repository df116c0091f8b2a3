package io.cdp.bench;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class WakeupLatenessTest {

  @Test
  void recordsAWakeupPerMillisecondOfTheMeasuredWindowOnly() throws InterruptedException {
    LoadWindow window = LoadWindow.startingNow(Duration.ofMillis(100), Duration.ofMillis(300));
    WakeupLateness probe = WakeupLateness.during(window);
    Thread.sleep(600);
    probe.close();
    long samples = probe.result().count();
    // One a millisecond of the 300 ms measured, none of the warm-up; a wake-up that comes late
    // still counts once, so only a stalled machine records fewer
    assertTrue(samples > 150 && samples <= 300, "samples: " + samples);
  }
}
