package io.cdp.identity;

import io.cdp.contracts.identity.v1.Identifier;

/**
 * One identifier, written {@code type:value} (API.md). Values are already normalised; build them
 * with {@link Identifiers#normalise} rather than directly from input. Their order of priority is
 * configuration ({@link MergeRules#byPriority}).
 */
public record IdentifierRef(String type, String value) {

  /** The pseudo type that looks up a profile by its id (merged ids included), never linked. */
  public static final String PROFILE_ID = "profile_id";

  public static final String USER_ID = "user_id";
  public static final String EMAIL = "email";
  public static final String PHONE = "phone";
  public static final String ANONYMOUS_ID = "anonymous_id";

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
