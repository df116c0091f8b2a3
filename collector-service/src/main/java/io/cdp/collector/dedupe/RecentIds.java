package io.cdp.collector.dedupe;

/**
 * A bounded set of recent {@link ForwardedId}s with the time each was added: the newest {@code
 * capacity} ids are kept (when full, the oldest goes), and an id added before a caller's cut-off
 * counts as absent. About 32 bytes per id, in five arrays allocated once: a ring of entries in the
 * order they were added, and an open-addressing table (linear probing, at most half full) of slots
 * that point into the ring. A removal shifts the slots that follow back, so lookups never meet
 * tombstones. Thread-safe; each call holds the lock for one lookup or one insertion.
 */
final class RecentIds {

  private final long[] high;
  private final long[] low;
  private final long[] addedAt;

  /** Ring index + 1 of the entry a slot holds; 0 is an empty slot. */
  private final int[] slots;

  private final int mask;
  private final int capacity;
  private int next;
  private int size;

  RecentIds(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1, was " + capacity);
    }
    this.capacity = capacity;
    this.high = new long[capacity];
    this.low = new long[capacity];
    this.addedAt = new long[capacity];
    int tableSize = Integer.highestOneBit(capacity) << 2; // > 2 x capacity, a power of two
    this.slots = new int[tableSize];
    this.mask = tableSize - 1;
  }

  /**
   * Whether {@code id} was added at or after {@code notBefore} (epoch millis) and is still held.
   */
  synchronized boolean contains(ForwardedId id, long notBefore) {
    int entry = find(id);
    return entry >= 0 && addedAt[entry] >= notBefore;
  }

  /**
   * Adds {@code id} as of {@code time} (epoch millis), evicting the oldest id when full. An id held
   * already keeps its place and takes the later time.
   */
  synchronized void add(ForwardedId id, long time) {
    int entry = find(id);
    if (entry >= 0) {
      addedAt[entry] = Math.max(addedAt[entry], time);
      return;
    }
    if (size == capacity) {
      removeSlotOf(next);
    } else {
      size++;
    }
    high[next] = id.high();
    low[next] = id.low();
    addedAt[next] = time;
    int slot = home(id.low());
    while (slots[slot] != 0) {
      slot = (slot + 1) & mask;
    }
    slots[slot] = next + 1;
    next = next + 1 == capacity ? 0 : next + 1;
  }

  int capacity() {
    return capacity;
  }

  synchronized int size() {
    return size;
  }

  private int find(ForwardedId id) {
    for (int slot = home(id.low()); slots[slot] != 0; slot = (slot + 1) & mask) {
      int entry = slots[slot] - 1;
      if (low[entry] == id.low() && high[entry] == id.high()) {
        return entry;
      }
    }
    return -1;
  }

  /** Empties the slot of ring entry {@code entry} and moves later slots of its run back. */
  private void removeSlotOf(int entry) {
    int hole = home(low[entry]);
    while (slots[hole] != entry + 1) {
      hole = (hole + 1) & mask;
    }
    for (int slot = (hole + 1) & mask; slots[slot] != 0; slot = (slot + 1) & mask) {
      int wanted = home(low[slots[slot] - 1]);
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

  /** Ids are digests, so their low bits are already uniform. */
  private int home(long low) {
    return (int) low & mask;
  }
}
