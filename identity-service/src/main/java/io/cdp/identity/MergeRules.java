package io.cdp.identity;

import java.util.Comparator;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The merge rules per identifier type, as configured ({@code cdp.identity.*}). Pure values.
 *
 * @param priorities type -> priority, 1 highest; a type not listed comes after every listed one
 * @param limits type -> how many identifiers of that type one profile may hold
 * @param defaultLimit the limit of a type not listed
 * @param blockedValues placeholders that are never identifiers (compared lower-cased); blank values
 *     and all-zero strings (such as {@code 0000} or the nil UUID) are always blocked
 * @param defaultCountryCode the calling code (digits) that national phone numbers get, or empty
 */
public record MergeRules(
    Map<String, Integer> priorities,
    Map<String, Integer> limits,
    int defaultLimit,
    Set<String> blockedValues,
    String defaultCountryCode) {

  /** Priorities without configuration: a login beats an email, a device cookie comes last. */
  public static final Map<String, Integer> DEFAULT_PRIORITIES =
      Map.of(
          IdentifierRef.USER_ID, 1,
          IdentifierRef.EMAIL, 2,
          IdentifierRef.PHONE, 3,
          IdentifierRef.ANONYMOUS_ID, 4);

  /** One user id per profile: two user ids on one device are two people sharing it. */
  public static final Map<String, Integer> DEFAULT_LIMITS = Map.of(IdentifierRef.USER_ID, 1);

  public static final int DEFAULT_LIMIT = 5;

  /** Values SDKs send as placeholders; linking them would merge strangers. */
  public static final Set<String> DEFAULT_BLOCKED_VALUES =
      Set.of("null", "undefined", "anonymous", "-1", "0");

  /** The rules when nothing is configured. */
  public static final MergeRules DEFAULTS =
      new MergeRules(DEFAULT_PRIORITIES, DEFAULT_LIMITS, DEFAULT_LIMIT, DEFAULT_BLOCKED_VALUES, "");

  private static final Pattern ALL_ZEROS = Pattern.compile("\\+?[0\\-]*0[0\\-]*");

  public MergeRules {
    priorities = Map.copyOf(priorities);
    limits = Map.copyOf(limits);
    blockedValues =
        blockedValues.stream()
            .map(v -> v.trim().toLowerCase(Locale.ROOT))
            .collect(Collectors.toUnmodifiableSet());
    defaultCountryCode = defaultCountryCode.replaceAll("[^0-9]", "");
  }

  /**
   * The defaults with configured values on top (a configured type replaces its default, the others
   * keep theirs).
   */
  public static MergeRules withOverrides(
      Map<String, Integer> priorities,
      Map<String, Integer> limits,
      int defaultLimit,
      Set<String> blockedValues,
      String defaultCountryCode) {
    Map<String, Integer> p = new HashMap<>(DEFAULT_PRIORITIES);
    p.putAll(priorities);
    Map<String, Integer> l = new HashMap<>(DEFAULT_LIMITS);
    l.putAll(limits);
    return new MergeRules(p, l, defaultLimit, blockedValues, defaultCountryCode);
  }

  /** 1 is highest; the types not listed share the priority after the lowest listed one. */
  public int priority(String type) {
    Integer p = priorities.get(type);
    if (p != null) {
      return p;
    }
    return priorities.values().stream().mapToInt(Integer::intValue).max().orElse(0) + 1;
  }

  public int limit(String type) {
    return limits.getOrDefault(type, defaultLimit);
  }

  /**
   * Highest priority first, then by type and value, so that every instance orders the same
   * identifiers the same way.
   */
  public Comparator<IdentifierRef> byPriority() {
    return Comparator.comparingInt((IdentifierRef id) -> priority(id.type()))
        .thenComparing(IdentifierRef::type)
        .thenComparing(IdentifierRef::value);
  }

  /** Whether a trimmed value is a placeholder rather than an identity. */
  public boolean isBlocked(String value) {
    return value.isEmpty()
        || blockedValues.contains(value.toLowerCase(Locale.ROOT))
        || ALL_ZEROS.matcher(value).matches();
  }
}
