package io.cdp.consent;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Whose consent it is: an identifier {@code type:value} (API.md), or a profile as {@code
 * profile:<id>}. Values are normalised so that one person is one subject: both parts are trimmed
 * and email addresses are compared lower-cased.
 */
public record Subject(String type, String value) {

  /** The identifier type under which a profile id is a subject of its own. */
  public static final String PROFILE = "profile";

  private static final Pattern TYPE = Pattern.compile("[a-z][a-z0-9_]*");

  /** Parses {@code type:value}; the value may itself contain colons. */
  public static Subject parse(String identifier) {
    if (identifier == null) {
      throw new InvalidIdentifierException("An identifier is written type:value");
    }
    int colon = identifier.indexOf(':');
    if (colon < 0) {
      throw new InvalidIdentifierException(
          "An identifier is written type:value, e.g. email:ann@example.com");
    }
    return of(identifier.substring(0, colon), identifier.substring(colon + 1));
  }

  /** The subject of a profile, for callers that know the profile id rather than an identifier. */
  public static Subject ofProfile(String profileId) {
    return of(PROFILE, profileId == null ? "" : profileId);
  }

  private static Subject of(String rawType, String rawValue) {
    String type = rawType.trim();
    if (!TYPE.matcher(type).matches()) {
      throw new InvalidIdentifierException(
          "Identifier type '" + type + "' must be lower-case letters, digits and '_'");
    }
    String value = rawValue.trim();
    if (value.isEmpty()) {
      throw new InvalidIdentifierException("Identifier '" + type + "' has no value");
    }
    if (type.equals("email")) {
      value = value.toLowerCase(Locale.ROOT);
    }
    return new Subject(type, value);
  }

  /** The key of this subject everywhere: in PostgreSQL, in the cache and on Kafka. */
  public String key() {
    return type + ":" + value;
  }

  @Override
  public String toString() {
    return key();
  }

  /** An identifier that cannot name a subject. */
  public static class InvalidIdentifierException extends IllegalArgumentException {
    public InvalidIdentifierException(String message) {
      super(message);
    }
  }
}
