package io.cdp.profile.store;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cdp.profile.Visit;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Which profile writes update the open-visit index ({@link ProfileStore#indexesVisit}). */
class OpenVisitIndexTest {

  private static final Instant MINUTE = Instant.parse("2026-12-08T10:15:00Z");

  private static Visit open(Instant startedAt, Instant lastEventAt) {
    return new Visit(startedAt, lastEventAt, 1, false);
  }

  @Test
  void aVisitThatStartsIsIndexed() {
    Visit first = open(MINUTE.plusSeconds(5), MINUTE.plusSeconds(5));
    assertTrue(ProfileStore.indexesVisit(null, first));
    assertTrue(
        ProfileStore.indexesVisit(
            new Visit(MINUTE.minusSeconds(3600), MINUTE.minusSeconds(1900), 4, true), first));
    assertTrue(
        ProfileStore.indexesVisit(open(MINUTE.minusSeconds(3600), MINUTE.plusSeconds(1)), first));
  }

  @Test
  void eventsWithinTheSameMinuteLeaveTheIndexAsItIs() {
    Visit before = open(MINUTE, MINUTE.plusSeconds(1));
    assertFalse(ProfileStore.indexesVisit(before, open(MINUTE, MINUTE.plusSeconds(59))));
    assertFalse(ProfileStore.indexesVisit(before, before));
  }

  @Test
  void aLastEventInALaterMinuteIsIndexed() {
    Visit before = open(MINUTE, MINUTE.plusSeconds(59));
    assertTrue(ProfileStore.indexesVisit(before, open(MINUTE, MINUTE.plusSeconds(60))));
  }

  @Test
  void anEndedOrMissingVisitIsNotIndexed() {
    Visit before = open(MINUTE, MINUTE);
    assertFalse(ProfileStore.indexesVisit(before, null));
    assertFalse(
        ProfileStore.indexesVisit(before, new Visit(MINUTE, MINUTE.plusSeconds(90), 2, true)));
  }
}
