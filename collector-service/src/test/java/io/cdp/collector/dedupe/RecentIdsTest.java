package io.cdp.collector.dedupe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RecentIdsTest {

  @Test
  void anAddedIdIsHeldAndAnotherIsNot() {
    RecentIds ids = new RecentIds(10);
    ForwardedId id = ForwardedId.of("source-1", "m-1");
    ids.add(List.of(id), 1_000);
    assertTrue(ids.contains(List.of(id), 0)[0]);
    assertFalse(ids.contains(List.of(ForwardedId.of("source-1", "m-2")), 0)[0]);
    assertFalse(
        ids.contains(List.of(ForwardedId.of("source-2", "m-1")), 0)[0], "ids are per source");
  }

  @Test
  void anIdAddedBeforeTheCutOffCountsAsAbsentUntilAddedAgain() {
    RecentIds ids = new RecentIds(10);
    ForwardedId id = ForwardedId.of("s", "m");
    ids.add(List.of(id), 1_000);
    assertFalse(ids.contains(List.of(id), 1_001)[0]);
    ids.add(List.of(id), 5_000);
    assertTrue(ids.contains(List.of(id), 1_001)[0]);
    assertEquals(1, ids.size());
  }

  @Test
  void whenFullTheOldestIdGoesFirst() {
    RecentIds ids = new RecentIds(3);
    List<ForwardedId> added = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      added.add(ForwardedId.of("s", "m-" + i));
      ids.add(List.of(added.get(i)), i);
    }
    assertEquals(3, ids.size());
    assertFalse(ids.contains(List.of(added.get(0)), 0)[0]);
    assertFalse(ids.contains(List.of(added.get(1)), 0)[0]);
    for (int i = 2; i < 5; i++) {
      assertTrue(ids.contains(List.of(added.get(i)), 0)[0], "m-" + i);
    }
  }

  /**
   * Against a plain insertion-ordered map, with low bits that collide on purpose (few distinct
   * homes, long probe runs that wrap around the table), so removals must shift slots back right.
   */
  @Test
  void agreesWithAPlainMapThroughManyAddsAndEvictions() {
    Random random = new Random(42);
    int capacity = 100;
    RecentIds ids = new RecentIds(capacity);
    Map<ForwardedId, Long> model = new LinkedHashMap<>();
    List<ForwardedId> universe = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      long low = (random.nextInt(24) * 37L) | ((long) random.nextInt() << 32);
      universe.add(new ForwardedId(random.nextLong(), low));
    }
    for (int step = 0; step < 50_000; step++) {
      ForwardedId id = universe.get(random.nextInt(universe.size()));
      if (random.nextBoolean()) {
        ids.add(List.of(id), step);
        Long before = model.get(id);
        if (before == null) {
          if (model.size() == capacity) {
            model.remove(model.keySet().iterator().next());
          }
          model.put(id, (long) step);
        } else {
          model.put(id, (long) step); // keeps its place in the order, takes the later time
        }
      } else {
        long notBefore = Math.max(0, step - random.nextInt(2_000));
        Long time = model.get(id);
        assertEquals(
            time != null && time >= notBefore,
            ids.contains(List.of(id), notBefore)[0],
            "step " + step);
      }
      assertEquals(model.size(), ids.size());
    }
  }

  @Test
  void idsAreLookedUpAndAddedManyAtATime() {
    RecentIds ids = new RecentIds(10);
    ForwardedId a = ForwardedId.of("s", "a");
    ForwardedId b = ForwardedId.of("s", "b");
    ids.add(List.of(a, a), 1);
    assertEquals(1, ids.size());
    boolean[] held = ids.contains(List.of(b, a, b), 0);
    assertFalse(held[0]);
    assertTrue(held[1]);
    assertFalse(held[2]);
  }

  @Test
  void packedIdsReadBackTheSame() {
    List<ForwardedId> ids = List.of(ForwardedId.of("s", "a"), ForwardedId.of("s", "b"));
    assertEquals(ids, ForwardedId.unpack(ForwardedId.pack(ids)));
    assertEquals(List.of(), ForwardedId.unpack(null));
  }

  @Test
  void theDigestDependsOnBothIdsAndWhereOneEnds() {
    assertEquals(ForwardedId.of("s", "m"), ForwardedId.of("s", "m"));
    assertNotEquals(ForwardedId.of("ab", "c"), ForwardedId.of("a", "bc"));
    assertNotEquals(ForwardedId.of("s", "m"), ForwardedId.of("s", "M"));
  }
}
