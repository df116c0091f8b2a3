package io.cdp.common;

import io.cdp.common.rest.ApiException;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * An identifier as API.md writes it, {@code type:value}, normalised so that one identifier has one
 * spelling: both parts trimmed, emails lower-cased. The value may itself contain colons.
 */
public record IdentifierKey(String type, String value) {

  private static final Pattern TYPE = Pattern.compile("[a-z][a-z0-9_]*");

  /** Parses {@code type:value}; empty when the type is not snake_case or the value is blank. */
  public static Optional<IdentifierKey> parse(String written) {
    int colon = written == null ? -1 : written.indexOf(':');
    if (colon < 0) {
      return Optional.empty();
    }
    String type = written.substring(0, colon).trim();
    String value = written.substring(colon + 1).trim();
    if (!TYPE.matcher(type).matches() || value.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        new IdentifierKey(type, type.equals("email") ? value.toLowerCase(Locale.ROOT) : value));
  }

  /** Parses an identifier from a request path, refusing a malformed one with 400. */
  public static IdentifierKey fromPath(String written) {
    return parse(written)
        .orElseThrow(
            () ->
                ApiException.badRequest(
                    "invalid_identifier",
                    "Write the identifier as type:value, e.g. email:ann@example.com",
                    "identifier"));
  }

  /** The written form, {@code type:value}: the key of the identifier in stores and topics. */
  @Override
  public String toString() {
    return type + ":" + value;
  }
}
