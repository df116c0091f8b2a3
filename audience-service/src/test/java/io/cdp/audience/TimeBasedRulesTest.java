package io.cdp.audience;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Struct;
import com.google.protobuf.Timestamp;
import com.google.protobuf.Value;
import io.cdp.common.ProfileVariables;
import io.cdp.contracts.profile.v1.Profile;
import io.cdp.contracts.profile.v1.Visit;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * When time alone changes a rule's answer. The clock is the {@code now} each call is given: the
 * tests move it to the moment the rules announce and check that the answer changes there.
 */
class TimeBasedRulesTest {

  private static final Instant PURCHASE = Instant.parse("2026-05-01T10:00:00Z");
  private static final Duration FALLBACK = Duration.ofMinutes(1);
  private static final String RECENT_BUYER =
      "now - timestamp(profile.attributes.last_purchase) < duration('720h')";

  private final AudienceRules rules = new AudienceRules();

  private static Map<String, Object> profile(Instant lastPurchase, Instant visitStarted) {
    Profile.Builder profile = Profile.newBuilder().setProfileId("p-1");
    if (lastPurchase != null) {
      profile.setAttributes(
          Struct.newBuilder()
              .putFields(
                  "last_purchase",
                  Value.newBuilder().setStringValue(lastPurchase.toString()).build()));
    }
    if (visitStarted != null) {
      profile.setVisit(
          Visit.newBuilder()
              .setStartedAt(Timestamp.newBuilder().setSeconds(visitStarted.getEpochSecond())));
    }
    return ProfileVariables.of(profile.build());
  }

  @Test
  void aMemberLeavesAtTheMomentItsDurationPasses() {
    Map<String, Object> buyer = profile(PURCHASE, null);
    Instant clock = PURCHASE.plus(Duration.ofDays(1));
    assertTrue(rules.matches(RECENT_BUYER, buyer, clock));

    Instant next = rules.nextTimeChange(RECENT_BUYER, buyer, clock, FALLBACK).orElseThrow();
    assertEquals(PURCHASE.plus(Duration.ofHours(720)), next);
    assertTrue(rules.matches(RECENT_BUYER, buyer, next.minusSeconds(1)), "still a member before");

    clock = next.plusMillis(1);
    assertFalse(rules.matches(RECENT_BUYER, buyer, clock), "left once the moment passed");
    assertEquals(
        Optional.empty(),
        rules.nextTimeChange(RECENT_BUYER, buyer, clock, FALLBACK),
        "time cannot bring the buyer back: only a new purchase can");
  }

  @Test
  void aNonMemberJoinsWhenItsTimeComes() {
    String longVisit = "now - profile.visit.startedAt > duration('15m')";
    Instant started = Instant.parse("2026-05-01T10:00:00Z");
    Map<String, Object> visitor = profile(null, started);
    Instant clock = started.plus(Duration.ofMinutes(10));
    assertFalse(rules.matches(longVisit, visitor, clock));

    Instant next = rules.nextTimeChange(longVisit, visitor, clock, FALLBACK).orElseThrow();
    assertEquals(started.plus(Duration.ofMinutes(15)), next);
    assertTrue(rules.matches(longVisit, visitor, next.plusMillis(1)));
  }

  @Test
  void theMomentIsDerivedWhicheverSideNowIsOn() {
    Map<String, Object> buyer = profile(PURCHASE, null);
    Instant clock = PURCHASE;
    String ts = "timestamp(profile.attributes.last_purchase)";
    assertEquals(
        Optional.of(PURCHASE.plus(Duration.ofHours(1))),
        rules.nextTimeChange(ts + " + duration('1h') > now", buyer, clock, FALLBACK));
    assertEquals(
        Optional.of(PURCHASE.plus(Duration.ofHours(2))),
        rules.nextTimeChange(
            "now + duration('1h') < " + ts + " + duration('3h')", buyer, clock, FALLBACK));
    assertEquals(
        Optional.of(PURCHASE.plus(Duration.ofHours(4))),
        rules.nextTimeChange(
            "duration('2h') > " + ts + " + duration('6h') - now", buyer, clock, FALLBACK),
        "x - now with x = purchase + 6h flips when now = x - 2h");
  }

  @Test
  void theEarliestMomentOfSeveralComparisonsIsNext() {
    String rule =
        "now - timestamp(profile.attributes.last_purchase) > duration('1h')"
            + " && now - profile.visit.startedAt < duration('30m')";
    Instant started = PURCHASE.plus(Duration.ofMinutes(20));
    Map<String, Object> profile = profile(PURCHASE, started);
    Instant clock = PURCHASE.plus(Duration.ofMinutes(25));
    assertEquals(
        Optional.of(started.plus(Duration.ofMinutes(30))),
        rules.nextTimeChange(rule, profile, clock, FALLBACK));
    clock = started.plus(Duration.ofMinutes(31));
    assertEquals(
        Optional.of(PURCHASE.plus(Duration.ofHours(1))),
        rules.nextTimeChange(rule, profile, clock, FALLBACK));
  }

  @Test
  void aRuleWithoutNowOrWithoutTheValuesItsMomentNeedsHasNoNextCheck() {
    assertEquals(
        Optional.empty(),
        rules.nextTimeChange(
            "profile.attributes.orders > 2", profile(PURCHASE, null), PURCHASE, FALLBACK));
    assertEquals(
        Optional.empty(),
        rules.nextTimeChange(RECENT_BUYER, profile(null, null), PURCHASE, FALLBACK),
        "no purchase yet: only a profile change can make it a member");
  }

  @Test
  void aUseOfNowWithoutADerivableMomentIsCheckedAgainAfterTheFallbackInterval() {
    Instant clock = Instant.parse("2026-05-01T10:00:00Z");
    assertEquals(
        Optional.of(clock.plus(FALLBACK)),
        rules.nextTimeChange("now.getHours() < 12", profile(null, null), clock, FALLBACK));
    assertEquals(
        Optional.of(clock.plus(FALLBACK)),
        rules.nextTimeChange(
            RECENT_BUYER + " || now.getDayOfWeek() == 0", profile(PURCHASE, null), clock, FALLBACK),
        "one use of now without a moment makes the whole rule fall back");
  }
}
