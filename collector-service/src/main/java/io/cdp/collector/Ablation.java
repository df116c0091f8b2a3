package io.cdp.collector;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/** TEMPORARY (benchmark ablation, removed before commit): steps to leave out, from CDP_ABLATE. */
public final class Ablation {
  private static final Set<String> FLAGS =
      Set.of(System.getenv().getOrDefault("CDP_ABLATE", "").split(","));

  public static boolean off(String step) {
    return FLAGS.contains(step);
  }

  public static Map<String, String> producer() {
    Map<String, String> settings = new HashMap<>();
    for (String pair : System.getenv().getOrDefault("CDP_ABLATE_PRODUCER", "").split(";")) {
      int eq = pair.indexOf('=');
      if (eq > 0) {
        settings.put(pair.substring(0, eq), pair.substring(eq + 1));
      }
    }
    return settings;
  }

  private Ablation() {}
}
