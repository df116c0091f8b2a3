package io.cdp.audience;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cdp.contracts.audience.v1.TransitionKind;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TransitionsTest {

  @Test
  void aNewMatchJoins() {
    var diff = Transitions.diff(Set.of(), Set.of("a"));
    assertEquals(Set.of("a"), diff.joined());
    assertEquals(Set.of(), diff.left());
  }

  @Test
  void aMemberThatStillMatchesStaysWithoutATransition() {
    assertTrue(Transitions.diff(Set.of("a"), Set.of("a")).isEmpty());
  }

  @Test
  void aMemberThatNoLongerMatchesLeaves() {
    var diff = Transitions.diff(Set.of("a", "b"), Set.of("b", "c"));
    assertEquals(Set.of("c"), diff.joined());
    assertEquals(Set.of("a"), diff.left());
  }

  @Test
  void leavingThenMatchingAgainRejoinsWithANewTransitionId() {
    Set<String> members = Set.of("a");
    var left = Transitions.diff(members, Set.of());
    assertEquals(Set.of("a"), left.left());
    var rejoined = Transitions.diff(Set.of(), Set.of("a"));
    assertEquals(Set.of("a"), rejoined.joined());
    assertNotEquals(
        Transitions.transitionId("p", "a", 1, 0, TransitionKind.JOINED),
        Transitions.transitionId("p", "a", 3, 0, TransitionKind.JOINED));
  }

  @Test
  void aReevaluationRoundGivesTheSameVersionNewIds() {
    String joinedByChange = Transitions.transitionId("p", "a", 4, 0, TransitionKind.JOINED);
    String joinedAgainLater = Transitions.transitionId("p", "a", 4, 2, TransitionKind.JOINED);
    assertNotEquals(joinedByChange, joinedAgainLater);
    assertEquals(joinedAgainLater, Transitions.transitionId("p", "a", 4, 2, TransitionKind.JOINED));
  }

  @Test
  void theTransitionIdIsDeterministic() {
    assertEquals(
        Transitions.transitionId("p", "a", 2, 0, TransitionKind.LEFT),
        Transitions.transitionId("p", "a", 2, 0, TransitionKind.LEFT));
    assertNotEquals(
        Transitions.transitionId("p", "a", 2, 0, TransitionKind.LEFT),
        Transitions.transitionId("p", "a", 2, 0, TransitionKind.JOINED));
  }
}
