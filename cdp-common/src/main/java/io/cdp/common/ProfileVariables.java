package io.cdp.common;

import com.google.protobuf.ListValue;
import com.google.protobuf.NullValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.cdp.contracts.ProtoTime;
import io.cdp.contracts.profile.v1.Profile;
import io.cdp.contracts.profile.v1.Visit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a profile snapshot into the plain Java values CEL reads as {@code profile}:
 *
 * <ul>
 *   <li>{@code traits}, {@code attributes}: maps of JSON values (numbers are doubles);
 *   <li>{@code badges}: a list of strings;
 *   <li>{@code visit}: {@code startedAt}, {@code lastEventAt} (timestamps), {@code eventCount},
 *       {@code ended};
 *   <li>{@code identifiers}: type to the list of values, e.g. {@code
 *       has(profile.identifiers.email)};
 *   <li>{@code consent}: purpose to bool; {@code id}: the profile id.
 * </ul>
 */
public final class ProfileVariables {

  /** The {@code profile} variable for a snapshot. */
  public static Map<String, Object> of(Profile profile) {
    Map<String, Object> vars = new LinkedHashMap<>();
    vars.put("id", profile.getProfileId());
    vars.put("traits", map(profile.getTraits()));
    vars.put("attributes", map(profile.getAttributes()));
    vars.put("badges", List.copyOf(profile.getBadgesList()));
    vars.put("visit", visit(profile.getVisit()));
    vars.put("identifiers", identifiers(profile.getIdentifiersList()));
    vars.put("consent", Map.copyOf(profile.getConsentMap()));
    return vars;
  }

  private static Map<String, Object> visit(Visit visit) {
    Map<String, Object> vars = new LinkedHashMap<>();
    if (visit.hasStartedAt()) {
      vars.put("startedAt", ProtoTime.instant(visit.getStartedAt()));
    }
    if (visit.hasLastEventAt()) {
      vars.put("lastEventAt", ProtoTime.instant(visit.getLastEventAt()));
    }
    vars.put("eventCount", visit.getEventCount());
    vars.put("ended", visit.getEnded());
    return vars;
  }

  private static Map<String, Object> identifiers(List<String> identifiers) {
    Map<String, List<String>> byType = new LinkedHashMap<>();
    for (String identifier : identifiers) {
      int colon = identifier.indexOf(':');
      if (colon > 0) {
        byType
            .computeIfAbsent(identifier.substring(0, colon), t -> new ArrayList<>())
            .add(identifier.substring(colon + 1));
      }
    }
    return Map.copyOf(byType);
  }

  private static Map<String, Object> map(Struct struct) {
    Map<String, Object> map = new LinkedHashMap<>();
    struct.getFieldsMap().forEach((key, value) -> map.put(key, value(value)));
    return map;
  }

  private static Object value(Value value) {
    return switch (value.getKindCase()) {
      case NUMBER_VALUE -> value.getNumberValue();
      case STRING_VALUE -> value.getStringValue();
      case BOOL_VALUE -> value.getBoolValue();
      case STRUCT_VALUE -> map(value.getStructValue());
      case LIST_VALUE -> list(value.getListValue());
      case NULL_VALUE, KIND_NOT_SET -> NullValue.NULL_VALUE;
    };
  }

  private static List<Object> list(ListValue list) {
    return list.getValuesList().stream().map(ProfileVariables::value).toList();
  }

  private ProfileVariables() {}
}
