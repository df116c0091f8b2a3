package io.cdp.consent;

import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * The configured purposes and their defaults, and the rules that turn what a subject said
 * ("explicit" consent) into what is allowed ("effective" consent). Pure: no I/O.
 */
public final class ConsentPolicy {

  private final Map<String, DefaultMode> defaults;

  public ConsentPolicy(Map<String, DefaultMode> defaults) {
    if (defaults.isEmpty()) {
      throw new IllegalArgumentException(
          "No consent purposes configured (cdp.consent.purposes.<name>.default)");
    }
    this.defaults = Collections.unmodifiableMap(new TreeMap<>(defaults));
  }

  /** Purpose name -> default, sorted by name. */
  public Map<String, DefaultMode> defaults() {
    return defaults;
  }

  /** Every configured purpose with its effective value: the subject's choice, else the default. */
  public Map<String, Boolean> effective(Map<String, Boolean> explicit) {
    Map<String, Boolean> effective = new TreeMap<>();
    defaults.forEach(
        (purpose, mode) ->
            effective.put(purpose, explicit.getOrDefault(purpose, mode.allowedBeforeChoice())));
    return effective;
  }

  /**
   * Whether each asked purpose is allowed; no purposes asked means all configured ones. A purpose
   * that is not configured is denied: nobody can have granted it, so nothing may flow for it.
   */
  public Map<String, Boolean> allowed(Map<String, Boolean> explicit, Collection<String> asked) {
    if (asked.isEmpty()) {
      return effective(explicit);
    }
    Map<String, Boolean> allowed = new TreeMap<>();
    for (String purpose : asked) {
      DefaultMode mode = defaults.get(purpose);
      allowed.put(
          purpose, mode != null && explicit.getOrDefault(purpose, mode.allowedBeforeChoice()));
    }
    return allowed;
  }

  /**
   * Checks the purposes of an update as JSON gave them (purpose -> value) and returns them as
   * booleans. Strict on purpose: only JSON {@code true}/{@code false} count, so a "yes" or a 1
   * never grants anything by accident.
   */
  public Map<String, Boolean> validate(Map<String, ?> requested) {
    Map<String, Boolean> changes = new TreeMap<>();
    for (Map.Entry<String, ?> entry : requested.entrySet()) {
      String field = "purposes." + entry.getKey();
      if (!defaults.containsKey(entry.getKey())) {
        throw new InvalidConsentException(
            "unknown_purpose",
            "Unknown purpose '" + entry.getKey() + "'; known: " + defaults.keySet(),
            field);
      }
      if (!(entry.getValue() instanceof Boolean granted)) {
        throw new InvalidConsentException(
            "invalid_value", "Purpose '" + entry.getKey() + "' must be true or false", field);
      }
      changes.put(entry.getKey(), granted);
    }
    return changes;
  }

  /** A consent update that names an unknown purpose or gives a non-boolean value. */
  public static class InvalidConsentException extends IllegalArgumentException {
    private final String code;
    private final String field;

    public InvalidConsentException(String code, String message, String field) {
      super(message);
      this.code = code;
      this.field = field;
    }

    public String code() {
      return code;
    }

    public String field() {
      return field;
    }
  }
}
