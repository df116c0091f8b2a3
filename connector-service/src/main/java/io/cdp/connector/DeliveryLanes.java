package io.cdp.connector;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * One lane per connector: at most {@code concurrency} deliveries in flight and {@code capacity}
 * waiting, so a destination that hangs holds only its own lane and the other connectors' deliveries
 * start at once. Pure (the work is a function given at construction), so it has plain unit tests.
 *
 * <p>A delivery id is taken once while queued or in flight; offering it again is a no-op. What a
 * full lane refuses stays pending in the outbox and is offered again by the sweep.
 */
public final class DeliveryLanes {

  private static final class Lane {
    final Queue<String> waiting = new ArrayDeque<>();
    int inFlight;
  }

  private final int concurrency;
  private final int capacity;
  private final Function<String, CompletionStage<?>> work;
  private final Map<String, Lane> lanes = new HashMap<>();
  private final Set<String> taken = new HashSet<>();

  /**
   * @param work sends one delivery; the lane slot is freed when its stage completes, however
   */
  public DeliveryLanes(int concurrency, int capacity, Function<String, CompletionStage<?>> work) {
    this.concurrency = concurrency;
    this.capacity = capacity;
    this.work = work;
  }

  /**
   * Queues {@code deliveryId} on {@code lane} and starts it if the lane has room. False when the
   * lane is full (the delivery then waits in the outbox).
   */
  public boolean offer(String lane, String deliveryId) {
    List<String> start;
    synchronized (this) {
      if (taken.contains(deliveryId)) {
        return true;
      }
      Lane l = lanes.computeIfAbsent(lane, k -> new Lane());
      if (l.waiting.size() >= capacity) {
        if (l.inFlight == 0 && l.waiting.isEmpty()) {
          lanes.remove(lane);
        }
        return false;
      }
      taken.add(deliveryId);
      l.waiting.add(deliveryId);
      start = startable(l);
    }
    start.forEach(id -> run(lane, id));
    return true;
  }

  /** Whether {@code deliveryId} is waiting or in flight. */
  public synchronized boolean isTaken(String deliveryId) {
    return taken.contains(deliveryId);
  }

  /** Deliveries of {@code lane} in flight now. */
  public synchronized int inFlight(String lane) {
    Lane l = lanes.get(lane);
    return l == null ? 0 : l.inFlight;
  }

  private void run(String lane, String deliveryId) {
    CompletionStage<?> done;
    try {
      done = work.apply(deliveryId);
    } catch (RuntimeException e) {
      finished(lane, deliveryId);
      throw e;
    }
    done.whenComplete((ignored, error) -> finished(lane, deliveryId));
  }

  private void finished(String lane, String deliveryId) {
    List<String> start;
    synchronized (this) {
      taken.remove(deliveryId);
      Lane l = lanes.get(lane);
      l.inFlight--;
      start = startable(l);
      if (l.inFlight == 0 && l.waiting.isEmpty()) {
        lanes.remove(lane);
      }
    }
    start.forEach(id -> run(lane, id));
  }

  /** Takes what may start now off the lane's queue; called holding the lock. */
  private List<String> startable(Lane l) {
    List<String> start = new ArrayList<>();
    while (l.inFlight < concurrency && !l.waiting.isEmpty()) {
      l.inFlight++;
      start.add(l.waiting.poll());
    }
    return start;
  }
}
