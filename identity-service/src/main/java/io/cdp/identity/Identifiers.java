package io.cdp.identity;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Extracts the identifiers of an event and normalises them. Pure: no I/O, no clock.
 *
 * <ul>
 *   <li>{@code userId} -> {@code user_id}; {@code anonymousId} -> {@code anonymous_id}.
 *   <li>{@code traits.email} and {@code context.traits.email} -> {@code email}, trimmed and
 *       lower-cased.
 *   <li>{@code traits.phone} -> {@code phone}, in E.164 where possible ({@link Phones}).
 *   <li>Every {@code context.externalIds[]} entry ({@code {id, type, collection, encoding}}) -> an
 *       identifier of its {@code type} (lower-cased), normalised like the others of that type: an
 *       external id of type {@code email} is an email.
 *   <li>{@code alias} events: {@code previousId} is the identity the user had before, which is
 *       normally the anonymous id of the device, so it is an {@code anonymous_id} when the event
 *       has a {@code userId}. Without a {@code userId} the previous id is the only known-user id of
 *       the event and is taken as a {@code user_id}.
 * </ul>
 *
 * Blocked values ({@link MergeRules#isBlocked}) are ignored, whatever the type, and so is the type
 * {@code profile_id}: a profile id names a profile, it is not evidence of a person.
 */
public final class Identifiers {

  private final MergeRules rules;

  public Identifiers(MergeRules rules) {
    this.rules = rules;
  }

  /**
   * The identifiers of one event, highest priority first, without duplicates.
   *
   * @param type the Segment call type ({@code track}, {@code alias}...)
   * @param userId the event's user id, possibly empty
   * @param anonymousId the event's anonymous id, possibly empty
   * @param payload the whole event as JSON (traits, context, previousId), or null
   */
  public List<IdentifierRef> extract(
      String type, String userId, String anonymousId, JsonNode payload) {
    Set<IdentifierRef> found = new LinkedHashSet<>();
    normalise(IdentifierRef.USER_ID, userId).ifPresent(found::add);
    normalise(IdentifierRef.ANONYMOUS_ID, anonymousId).ifPresent(found::add);
    if (payload != null) {
      normalise(IdentifierRef.EMAIL, text(payload.at("/traits/email"))).ifPresent(found::add);
      normalise(IdentifierRef.EMAIL, text(payload.at("/context/traits/email")))
          .ifPresent(found::add);
      normalise(IdentifierRef.PHONE, text(payload.at("/traits/phone"))).ifPresent(found::add);
      for (JsonNode external : payload.at("/context/externalIds")) {
        normalise(text(external.get("type")), text(external.get("id"))).ifPresent(found::add);
      }
      if ("alias".equals(type)) {
        boolean hasUserId = found.stream().anyMatch(id -> id.type().equals(IdentifierRef.USER_ID));
        String previousType = hasUserId ? IdentifierRef.ANONYMOUS_ID : IdentifierRef.USER_ID;
        normalise(previousType, text(payload.get("previousId"))).ifPresent(found::add);
      }
    }
    List<IdentifierRef> sorted = new ArrayList<>(found);
    sorted.sort(rules.byPriority());
    return List.copyOf(sorted);
  }

  /**
   * The normalised identifier, or empty when the type or value is missing, malformed or blocked.
   */
  public Optional<IdentifierRef> normalise(String type, String raw) {
    if (type == null || raw == null) {
      return Optional.empty();
    }
    String cleanType = type.trim().toLowerCase(Locale.ROOT);
    String value = raw.trim();
    if (cleanType.isEmpty()
        || cleanType.equals(IdentifierRef.PROFILE_ID)
        || rules.isBlocked(value)) {
      return Optional.empty();
    }
    value =
        switch (cleanType) {
          case IdentifierRef.EMAIL -> value.toLowerCase(Locale.ROOT);
          case IdentifierRef.PHONE -> Phones.normalise(value, rules.defaultCountryCode());
          default -> value;
        };
    return rules.isBlocked(value)
        ? Optional.empty()
        : Optional.of(new IdentifierRef(cleanType, value));
  }

  /** Strings as they are; numbers (phones, numeric user ids) as written; anything else absent. */
  private static String text(JsonNode node) {
    if (node == null || !(node.isTextual() || node.isNumber())) {
      return null;
    }
    return node.asText();
  }
}
