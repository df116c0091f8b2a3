package io.cdp.profile;

import java.util.Locale;
import java.util.Optional;

/** Identifiers written {@code type:value} (API.md), normalised the way identity resolution does. */
public final class Identifiers {

  private Identifiers() {}

  /**
   * Parses {@code type:value} (the value may itself contain ':'); empty when either part is blank.
   * Emails are compared trimmed and lower-cased, so they are normalised here too.
   */
  public static Optional<String> parse(String identifier) {
    if (identifier == null) {
      return Optional.empty();
    }
    int colon = identifier.indexOf(':');
    if (colon <= 0) {
      return Optional.empty();
    }
    String type = identifier.substring(0, colon).trim();
    String value = identifier.substring(colon + 1).trim();
    if (type.isEmpty() || value.isEmpty()) {
      return Optional.empty();
    }
    if (type.equals("email")) {
      value = value.toLowerCase(Locale.ROOT);
    }
    return Optional.of(type + ":" + value);
  }
}
