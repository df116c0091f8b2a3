package io.cdp.identity;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Extracts the identifiers of an event and normalises them. Pure: no I/O, no clock.
 *
 * <ul>
 *   <li>{@code userId} -> {@code user_id}; {@code anonymousId} -> {@code anonymous_id}.
 *   <li>{@code traits.email} and {@code context.traits.email} -> {@code email}, trimmed and
 *       lower-cased.
 *   <li>{@code traits.phone} -> {@code phone}: a leading {@code +} kept, every other non-digit
 *       dropped ({@code "+1 (555) 010-9999"} -> {@code "+15550109999"}).
 *   <li>{@code alias} events: {@code previousId} is the identity the user had before, which is
 *       normally the anonymous id of the device, so it is an {@code anonymous_id} when the event
 *       has a {@code userId}. Without a {@code userId} the previous id is the only known-user id of
 *       the event and is taken as a {@code user_id}.
 * </ul>
 *
 * Blocked values are ignored, whatever the type: blank, {@code null}, {@code undefined}, {@code
 * anonymous}, {@code -1}, {@code 0} and all-zero strings such as {@code 0000} or the nil UUID (SDKs
 * send these as placeholders; linking them would merge strangers).
 */
public final class Identifiers {

  private static final Set<String> BLOCKED = Set.of("null", "undefined", "anonymous", "-1", "0");
  private static final Pattern ALL_ZEROS = Pattern.compile("\\+?[0\\-]*0[0\\-]*");

  private Identifiers() {}

  /**
   * The identifiers of one event, highest priority first, without duplicates.
   *
   * @param type the Segment call type ({@code track}, {@code alias}...)
   * @param userId the event's user id, possibly empty
   * @param anonymousId the event's anonymous id, possibly empty
   * @param payload the whole event as JSON (traits, context, previousId), or null
   */
  public static List<IdentifierRef> extract(
      String type, String userId, String anonymousId, JsonNode payload) {
    Set<IdentifierRef> found = new LinkedHashSet<>();
    normalise(IdentifierRef.USER_ID, userId).ifPresent(found::add);
    normalise(IdentifierRef.ANONYMOUS_ID, anonymousId).ifPresent(found::add);
    if (payload != null) {
      normalise(IdentifierRef.EMAIL, text(payload.at("/traits/email"))).ifPresent(found::add);
      normalise(IdentifierRef.EMAIL, text(payload.at("/context/traits/email")))
          .ifPresent(found::add);
      normalise(IdentifierRef.PHONE, text(payload.at("/traits/phone"))).ifPresent(found::add);
      if ("alias".equals(type)) {
        boolean hasUserId = found.stream().anyMatch(id -> id.type().equals(IdentifierRef.USER_ID));
        String previousType = hasUserId ? IdentifierRef.ANONYMOUS_ID : IdentifierRef.USER_ID;
        normalise(previousType, text(payload.get("previousId"))).ifPresent(found::add);
      }
    }
    List<IdentifierRef> sorted = new ArrayList<>(found);
    sorted.sort(IdentifierRef.BY_PRIORITY);
    return List.copyOf(sorted);
  }

  /** The normalised identifier, or empty when the value is missing, malformed or blocked. */
  public static Optional<IdentifierRef> normalise(String type, String raw) {
    if (type == null || raw == null) {
      return Optional.empty();
    }
    String cleanType = type.trim().toLowerCase(Locale.ROOT);
    String value = raw.trim();
    if (cleanType.isEmpty() || isBlocked(value)) {
      return Optional.empty();
    }
    value =
        switch (cleanType) {
          case IdentifierRef.EMAIL -> value.toLowerCase(Locale.ROOT);
          case IdentifierRef.PHONE -> phone(value);
          default -> value;
        };
    return isBlocked(value) ? Optional.empty() : Optional.of(new IdentifierRef(cleanType, value));
  }

  /** Whether a trimmed value is a placeholder rather than an identity. */
  public static boolean isBlocked(String value) {
    return value.isEmpty()
        || BLOCKED.contains(value.toLowerCase(Locale.ROOT))
        || ALL_ZEROS.matcher(value).matches();
  }

  private static String phone(String value) {
    String digits = value.replaceAll("[^0-9]", "");
    if (digits.isEmpty()) {
      return "";
    }
    return value.startsWith("+") ? "+" + digits : digits;
  }

  /** Strings as they are; numbers (phones, numeric user ids) as written; anything else absent. */
  private static String text(JsonNode node) {
    if (node == null || !(node.isTextual() || node.isNumber())) {
      return null;
    }
    return node.asText();
  }
}
