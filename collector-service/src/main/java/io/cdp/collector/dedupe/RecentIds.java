package io.cdp.collector.dedupe;

import java.util.List;

/**
 * A bounded set of recent {@link ForwardedId}s with the time each was added: the newest {@code
 * capacity} ids are kept (when full, the oldest goes), and an id added before a caller's cut-off
 * counts as absent. About 40 bytes per id, in two arrays allocated once: a ring of entries (high,
 * low, time) in the order they were added, and an open-addressing table (linear probing, at most
 * half full) of slots that point into the ring.
 *
 * <p>A slot also holds the low 32 bits of its id, so a lookup compares ids in the table's run of
 * slots (one cache line, mostly) and reads the ring only on a likely match; most ids looked up are
 * new ones, and each read of the ring costs a cache miss. A removal shifts the slots that follow
 * back, so lookups never meet tombstones. Thread-safe; a call holds the lock for its ids.
 */
final class RecentIds {

  private static final int HIGH = 0;
  private static final int LOW = 1;
  private static final int ADDED_AT = 2;
  private static final int STRIDE = 3;

  private final long[] ring;

  /** (low 32 bits of the id) << 32 | (ring index + 1); 0 is an empty slot. */
  private final long[] slots;

  private final int mask;
  private final int capacity;
  private int next;
  private int size;

  RecentIds(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1, was " + capacity);
    }
    this.capacity = capacity;
    this.ring = new long[capacity * STRIDE];
    int tableSize = Integer.highestOneBit(capacity) << 2; // > 2 x capacity, a power of two
    this.slots = new long[tableSize];
    this.mask = tableSize - 1;
  }

  /**
   * For each of {@code ids}, whether it was added at or after {@code notBefore} (epoch millis) and
   * is still held.
   */
  synchronized boolean[] contains(List<ForwardedId> ids, long notBefore) {
    boolean[] held = new boolean[ids.size()];
    for (int i = 0; i < held.length; i++) {
      int entry = find(ids.get(i));
      held[i] = entry >= 0 && ring[entry * STRIDE + ADDED_AT] >= notBefore;
    }
    return held;
  }

  /**
   * Adds {@code ids} as of {@code time} (epoch millis), evicting the oldest ids when full. An id
   * held already keeps its place and takes the later time.
   */
  synchronized void add(List<ForwardedId> ids, long time) {
    for (ForwardedId id : ids) {
      add(id, time);
    }
  }

  int capacity() {
    return capacity;
  }

  synchronized int size() {
    return size;
  }

  private void add(ForwardedId id, long time) {
    int entry = find(id);
    if (entry >= 0) {
      int at = entry * STRIDE + ADDED_AT;
      ring[at] = Math.max(ring[at], time);
      return;
    }
    if (size == capacity) {
      removeSlotOf(next);
    } else {
      size++;
    }
    int at = next * STRIDE;
    ring[at + HIGH] = id.high();
    ring[at + LOW] = id.low();
    ring[at + ADDED_AT] = time;
    int slot = home(id.low());
    while (slots[slot] != 0) {
      slot = (slot + 1) & mask;
    }
    slots[slot] = ((long) (int) id.low() << 32) | (next + 1);
    next = next + 1 == capacity ? 0 : next + 1;
  }

  private int find(ForwardedId id) {
    int lowBits = (int) id.low();
    for (int slot = home(id.low()); slots[slot] != 0; slot = (slot + 1) & mask) {
      if ((int) (slots[slot] >>> 32) == lowBits) {
        int entry = (int) slots[slot] - 1;
        if (ring[entry * STRIDE + LOW] == id.low() && ring[entry * STRIDE + HIGH] == id.high()) {
          return entry;
        }
      }
    }
    return -1;
  }

  /** Empties the slot of ring entry {@code entry} and moves later slots of its run back. */
  private void removeSlotOf(int entry) {
    int hole = home(ring[entry * STRIDE + LOW]);
    while ((int) slots[hole] != entry + 1) {
      hole = (hole + 1) & mask;
    }
    for (int slot = (hole + 1) & mask; slots[slot] != 0; slot = (slot + 1) & mask) {
      int wanted = home(slots[slot] >>> 32);
      // The slot may move into the hole unless its home lies cyclically in (hole, slot]
      boolean homeAfterHole =
          hole <= slot ? hole < wanted && wanted <= slot : hole < wanted || wanted <= slot;
      if (!homeAfterHole) {
        slots[hole] = slots[slot];
        hole = slot;
      }
    }
    slots[hole] = 0;
  }

  /** Ids are digests, so their low bits are already uniform; the table is under 2^31 slots. */
  private int home(long low) {
    return (int) low & mask;
  }
}
