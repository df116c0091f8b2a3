package io.cdp.bench;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Answers of a load counted by HTTP status code (or I/O error), from many clients at once. */
final class Answers {

  private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();

  void count(String answer) {
    counts.computeIfAbsent(answer, a -> new LongAdder()).increment();
  }

  long count(int status) {
    LongAdder count = counts.get(Integer.toString(status));
    return count == null ? 0 : count.sum();
  }

  /** Every answer with its count, in order. */
  Map<String, Long> all() {
    Map<String, Long> all = new TreeMap<>();
    counts.forEach((answer, count) -> all.put(answer, count.sum()));
    return all;
  }
}
