package io.cdp.connector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Per-connector lanes: a bounded number in flight, a bounded queue, lanes independent. */
class DeliveryLanesTest {

  private final Map<String, CompletableFuture<Void>> running = new LinkedHashMap<>();
  private final List<String> started = new ArrayList<>();
  private final DeliveryLanes lanes =
      new DeliveryLanes(
          2,
          3,
          id -> {
            started.add(id);
            CompletableFuture<Void> done = new CompletableFuture<>();
            running.put(id, done);
            return done;
          });

  @Test
  void aLaneRunsAtMostItsConcurrencyAndStartsTheNextWhenOneFinishes() {
    for (String id : List.of("a1", "a2", "a3", "a4")) {
      assertTrue(lanes.offer("A", id));
    }
    assertEquals(List.of("a1", "a2"), started);
    assertEquals(2, lanes.inFlight("A"));
    running.get("a1").complete(null);
    assertEquals(List.of("a1", "a2", "a3"), started);
    running.get("a2").completeExceptionally(new RuntimeException("failed attempt"));
    assertEquals(List.of("a1", "a2", "a3", "a4"), started);
  }

  @Test
  void aBlockedLaneDoesNotHoldUpAnother() {
    for (String id : List.of("a1", "a2", "a3")) {
      lanes.offer("A", id);
    }
    lanes.offer("B", "b1");
    assertTrue(started.contains("b1"));
    assertEquals(2, lanes.inFlight("A"));
    assertEquals(1, lanes.inFlight("B"));
  }

  @Test
  void aFullLaneRefusesAndAnIdIsTakenOnce() {
    for (String id : List.of("a1", "a2", "a3", "a4", "a5")) {
      assertTrue(lanes.offer("A", id));
    }
    // Two in flight, three waiting: the queue is full.
    assertFalse(lanes.offer("A", "a6"));
    assertFalse(lanes.isTaken("a6"));
    // Offering one already queued or in flight is a no-op.
    assertTrue(lanes.offer("A", "a1"));
    assertTrue(lanes.offer("A", "a5"));
    assertEquals(List.of("a1", "a2"), started);
    running.get("a1").complete(null);
    assertFalse(lanes.isTaken("a1"));
    assertTrue(lanes.offer("A", "a6"));
  }
}
