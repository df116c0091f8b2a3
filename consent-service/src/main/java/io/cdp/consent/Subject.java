package io.cdp.consent;

import io.cdp.common.IdentifierKey;

/**
 * Whose consent it is: an identifier {@code type:value} (API.md), or a profile as {@code
 * profile:<id>}. Values are normalised so that one person is one subject: both parts are trimmed
 * and email addresses are compared lower-cased.
 */
public record Subject(String type, String value) {

  /** The identifier type under which a profile id is a subject of its own. */
  public static final String PROFILE = "profile";

  /** Parses {@code type:value} (API.md's identifiers, normalised by {@link IdentifierKey}). */
  public static Subject parse(String identifier) {
    return IdentifierKey.parse(identifier)
        .map(key -> new Subject(key.type(), key.value()))
        .orElseThrow(
            () ->
                new InvalidIdentifierException(
                    "Write the identifier as type:value (type in snake_case), e.g."
                        + " email:ann@example.com"));
  }

  /** The subject of a profile, for callers that know the profile id rather than an identifier. */
  public static Subject ofProfile(String profileId) {
    return parse(PROFILE + ":" + (profileId == null ? "" : profileId));
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
