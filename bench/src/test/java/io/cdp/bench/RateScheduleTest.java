package io.cdp.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RateScheduleTest {

  @Test
  void fiveThousandASecondAreDueEveryTwoHundredMicrosecondsFromTheStart() {
    RateSchedule schedule = RateSchedule.perSecond(5_000, 1_000_000L);
    assertEquals(1_000_000L, schedule.dueNanos(0));
    assertEquals(1_200_000L, schedule.dueNanos(1));
    assertEquals(1_000_000L + 1_000_000_000L, schedule.dueNanos(5_000));
  }

  @Test
  void aRateThatDoesNotDivideASecondDoesNotDriftOverLongRuns() {
    RateSchedule schedule = RateSchedule.perSecond(3_000, 0);
    // 333,333.3 ns apart: rounding each due time, not each interval, keeps the total exact
    assertEquals(60_000_000_000L, schedule.dueNanos(180_000));
    assertEquals(333_333L, schedule.dueNanos(1));
    assertEquals(666_667L, schedule.dueNanos(2));
  }

  @Test
  void awaitingATimeThatPassedReturnsAtOnceAndAFutureOneWaits() {
    long before = System.nanoTime();
    RateSchedule.awaitNanos(before - 1_000_000_000L);
    long target = System.nanoTime() + 5_000_000;
    RateSchedule.awaitNanos(target);
    assertTrue(System.nanoTime() >= target);
  }

  @Test
  void aRateIsPositive() {
    assertThrows(IllegalArgumentException.class, () -> RateSchedule.perSecond(0, 0));
  }
}
