package io.cdp.connector;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.common.primitives.UnsignedLong;
import com.google.protobuf.NullValue;
import com.google.protobuf.Timestamp;
import io.cdp.common.ProfileVariables;
import io.cdp.contracts.ProtoTime;
import io.cdp.contracts.profile.v1.Profile;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Conversions between what the suite carries (JSON, profile protos) and the plain Java values CEL
 * reads and returns. The {@code profile} variable has:
 *
 * <ul>
 *   <li>{@code id}: the profile id;
 *   <li>{@code traits}, {@code attributes}: maps of JSON values (numbers are doubles);
 *   <li>{@code badges}: a list of strings;
 *   <li>{@code identifiers}: type to the list of values, e.g. {@code profile.identifiers.email[0]};
 *   <li>{@code visit}: {@code startedAt}, {@code lastEventAt} (timestamps), {@code eventCount},
 *       {@code ended}.
 * </ul>
 */
public final class CelValues {

  /** The {@code profile} variable of a profile, as every CEL rule of the suite reads it. */
  public static Map<String, Object> profile(Profile profile) {
    return ProfileVariables.of(profile);
  }

  /** A profile the profile service does not know (erased, merged away): only its id. */
  public static Map<String, Object> unknownProfile(String profileId) {
    return profile(Profile.newBuilder().setProfileId(profileId).build());
  }

  /** A JSON value as CEL reads it: integers as longs, other numbers as doubles. */
  public static Object fromJson(JsonNode node) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      return NullValue.NULL_VALUE;
    }
    if (node.isObject()) {
      Map<String, Object> map = new LinkedHashMap<>();
      node.fields().forEachRemaining(e -> map.put(e.getKey(), fromJson(e.getValue())));
      return map;
    }
    if (node.isArray()) {
      List<Object> list = new ArrayList<>();
      node.forEach(element -> list.add(fromJson(element)));
      return list;
    }
    if (node.isIntegralNumber() && node.canConvertToLong()) {
      return node.asLong();
    }
    if (node.isNumber()) {
      return node.asDouble();
    }
    if (node.isBoolean()) {
      return node.asBoolean();
    }
    return node.asText();
  }

  /** A JSON object as a CEL map; anything else as an empty map. */
  @SuppressWarnings("unchecked")
  public static Map<String, Object> objectFromJson(JsonNode node) {
    return node != null && node.isObject() ? (Map<String, Object>) fromJson(node) : Map.of();
  }

  /** A CEL result as a value Jackson writes: timestamps and durations as ISO-8601 text. */
  public static Object toJson(Object value) {
    if (value == null || value instanceof NullValue) {
      return null;
    }
    if (value instanceof Map<?, ?> map) {
      Map<String, Object> json = new LinkedHashMap<>();
      map.forEach((k, v) -> json.put(String.valueOf(k), toJson(v)));
      return json;
    }
    if (value instanceof List<?> list) {
      return list.stream().map(CelValues::toJson).toList();
    }
    if (value instanceof String
        || value instanceof Boolean
        || value instanceof Long
        || value instanceof Double) {
      return value;
    }
    if (value instanceof UnsignedLong unsigned) {
      return unsigned.bigIntegerValue();
    }
    if (value instanceof Instant || value instanceof Duration) {
      return value.toString();
    }
    if (value instanceof Timestamp ts) {
      return ProtoTime.instant(ts).toString();
    }
    if (value instanceof com.google.protobuf.Duration d) {
      return Duration.ofSeconds(d.getSeconds(), d.getNanos()).toString();
    }
    if (value instanceof com.google.protobuf.ByteString bytes) {
      return Base64.getEncoder().encodeToString(bytes.toByteArray());
    }
    if (value instanceof Optional<?> optional) {
      return optional.map(CelValues::toJson).orElse(null);
    }
    if (value instanceof Number number) {
      return number;
    }
    return value.toString();
  }

  private CelValues() {}
}
