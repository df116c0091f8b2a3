package io.cdp.identity;

import io.cdp.contracts.identity.v1.Identifier;
import java.util.Comparator;

/**
 * One identifier, written {@code type:value} (API.md). Values are already normalised; build them
 * with {@link Identifiers#normalise} rather than directly from input.
 */
public record IdentifierRef(String type, String value) {

  public static final String USER_ID = "user_id";
  public static final String EMAIL = "email";
  public static final String PHONE = "phone";
  public static final String ANONYMOUS_ID = "anonymous_id";

  /**
   * Highest priority first: the profile of an event is the profile of its highest-priority known
   * identifier, because a login (user id) is stronger evidence than a device cookie.
   */
  public static final Comparator<IdentifierRef> BY_PRIORITY =
      Comparator.comparingInt(IdentifierRef::priority)
          .thenComparing(IdentifierRef::type)
          .thenComparing(IdentifierRef::value);

  /** 1 for {@code user_id}, then {@code email}, {@code phone}, {@code anonymous_id}, others. */
  public int priority() {
    return switch (type) {
      case USER_ID -> 1;
      case EMAIL -> 2;
      case PHONE -> 3;
      case ANONYMOUS_ID -> 4;
      default -> 5;
    };
  }

  /** The cache key and the API's spelling. */
  public String key() {
    return type + ":" + value;
  }

  @Override
  public String toString() {
    return key();
  }

  public Identifier toProto() {
    return Identifier.newBuilder().setType(type).setValue(value).build();
  }
}
