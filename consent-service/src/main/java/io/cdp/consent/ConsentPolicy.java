package io.cdp.consent;

import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The configured purposes and their defaults, and the rules that turn what a subject said
 * ("explicit" consent) into what is allowed ("effective" consent). Pure: no I/O.
 *
 * <p>Defaults depend on where the subject is: a {@link Jurisdiction} (configured by code, with the
 * countries it covers) may set its own default per purpose, e.g. opt-in for everything in the EU
 * and opt-out for analytics elsewhere. A subject whose country no jurisdiction covers, or whose
 * country is unknown, gets the default jurisdiction if one is configured, else the purposes' own
 * defaults.
 */
public final class ConsentPolicy {

  /**
   * A place with its own defaults: {@code code} (upper-cased), the countries it covers
   * (upper-cased; its own code always counts) and the default per purpose it overrides.
   */
  public record Jurisdiction(
      String code, Set<String> countries, Map<String, DefaultMode> defaults) {
    public Jurisdiction {
      code = normalise(code);
      countries =
          Collections.unmodifiableSet(
              new TreeSet<>(countries.stream().map(ConsentPolicy::normalise).toList()));
      defaults = Collections.unmodifiableMap(new TreeMap<>(defaults));
    }
  }

  private final Map<String, DefaultMode> defaults;

  /** Country or jurisdiction code (upper-cased) -> its jurisdiction. */
  private final Map<String, Jurisdiction> jurisdictionByPlace = new TreeMap<>();

  private final Jurisdiction defaultJurisdiction;

  /** A policy with one set of defaults everywhere. */
  public ConsentPolicy(Map<String, DefaultMode> defaults) {
    this(defaults, List.of(), null);
  }

  /**
   * A policy whose defaults depend on the jurisdiction. {@code defaultJurisdiction} (a code of
   * {@code jurisdictions}, or null) applies where no jurisdiction is known.
   */
  public ConsentPolicy(
      Map<String, DefaultMode> defaults,
      Collection<Jurisdiction> jurisdictions,
      String defaultJurisdiction) {
    if (defaults.isEmpty()) {
      throw new IllegalArgumentException(
          "No consent purposes configured (cdp.consent.purposes.<name>.default)");
    }
    this.defaults = Collections.unmodifiableMap(new TreeMap<>(defaults));
    for (Jurisdiction jurisdiction : jurisdictions) {
      jurisdiction.defaults().keySet().stream()
          .filter(purpose -> !defaults.containsKey(purpose))
          .findFirst()
          .ifPresent(
              purpose -> {
                throw new IllegalArgumentException(
                    "cdp.consent.jurisdictions."
                        + jurisdiction.code().toLowerCase(Locale.ROOT)
                        + ".default-mode names the unknown purpose '"
                        + purpose
                        + "'; known: "
                        + defaults.keySet());
              });
      jurisdictionByPlace.put(jurisdiction.code(), jurisdiction);
      jurisdiction.countries().forEach(country -> jurisdictionByPlace.put(country, jurisdiction));
    }
    if (defaultJurisdiction != null && !defaultJurisdiction.isBlank()) {
      this.defaultJurisdiction = jurisdictionByPlace.get(normalise(defaultJurisdiction));
      if (this.defaultJurisdiction == null) {
        throw new IllegalArgumentException(
            "cdp.consent.default-jurisdiction '"
                + defaultJurisdiction
                + "' is not a configured jurisdiction or country");
      }
    } else {
      this.defaultJurisdiction = null;
    }
  }

  /** Purpose name -> default where no jurisdiction applies, sorted by name. */
  public Map<String, DefaultMode> defaults() {
    return defaults;
  }

  /**
   * The jurisdiction of a place (a country or jurisdiction code, compared case-insensitively); the
   * default jurisdiction for an unknown or uncovered place; null when there is none.
   */
  public Jurisdiction jurisdiction(String place) {
    Jurisdiction found = place == null ? null : jurisdictionByPlace.get(normalise(place));
    return found != null ? found : defaultJurisdiction;
  }

  /** The default of {@code purpose} (a configured one) in {@code place}. */
  public DefaultMode defaultOf(String purpose, String place) {
    Jurisdiction jurisdiction = jurisdiction(place);
    DefaultMode mode = jurisdiction == null ? null : jurisdiction.defaults().get(purpose);
    return mode != null ? mode : defaults.get(purpose);
  }

  /** Every configured purpose with its effective value where no jurisdiction is known. */
  public Map<String, Boolean> effective(Map<String, Boolean> explicit) {
    return effective(explicit, null);
  }

  /**
   * Every configured purpose with its effective value: the subject's choice, else the default of
   * the subject's place (null: unknown).
   */
  public Map<String, Boolean> effective(Map<String, Boolean> explicit, String place) {
    Map<String, Boolean> effective = new TreeMap<>();
    defaults.forEach(
        (purpose, mode) ->
            effective.put(
                purpose,
                explicit.getOrDefault(purpose, defaultOf(purpose, place).allowedBeforeChoice())));
    return effective;
  }

  /** {@link #allowed(Map, Collection, String)} where no jurisdiction is known. */
  public Map<String, Boolean> allowed(Map<String, Boolean> explicit, Collection<String> asked) {
    return allowed(explicit, asked, null);
  }

  /**
   * Whether each asked purpose is allowed; no purposes asked means all configured ones. A purpose
   * that is not configured is denied: nobody can have granted it, so nothing may flow for it.
   */
  public Map<String, Boolean> allowed(
      Map<String, Boolean> explicit, Collection<String> asked, String place) {
    if (asked.isEmpty()) {
      return effective(explicit, place);
    }
    Map<String, Boolean> allowed = new TreeMap<>();
    for (String purpose : asked) {
      allowed.put(
          purpose,
          defaults.containsKey(purpose)
              && explicit.getOrDefault(purpose, defaultOf(purpose, place).allowedBeforeChoice()));
    }
    return allowed;
  }

  /** Places are compared trimmed and upper-cased ("de", " DE " and "DE" are one country). */
  public static String normalise(String place) {
    return place.trim().toUpperCase(Locale.ROOT);
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
