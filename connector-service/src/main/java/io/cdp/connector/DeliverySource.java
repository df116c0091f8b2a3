package io.cdp.connector;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cdp.common.IdentifierKey;
import io.cdp.common.messaging.PrivacyAcks;
import io.cdp.contracts.ProtoTime;
import io.cdp.contracts.audience.v1.MembershipTransition;
import io.cdp.contracts.consent.v1.PrivacyRequest;
import io.cdp.contracts.identity.v1.ResolvedEvent;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What caused a delivery, kept with the pending delivery until its body is built: the trigger that
 * fired, the profile, the audience (audience triggers) or the event (event triggers) and where that
 * event sits on {@code cdp.events.resolved} (for the consent check), and when it happened. The
 * mapping is evaluated from this and the profile at delivery time.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DeliverySource(
    TriggerView trigger,
    String profileId,
    AudienceView audience,
    JsonNode event,
    String occurredAt,
    List<String> identifiers,
    EventPosition eventPosition) {

  /** The {@code on} of an erasure call's trigger. */
  public static final String ERASURE = "erasure";

  /** The trigger that fired, as the connector declared it: an audience transition or an event. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record TriggerView(String audience, String on, String event) {}

  /** The audience of a transition. */
  public record AudienceView(String id, String name) {}

  /** Where a triggering event sits on {@code cdp.events.resolved}. */
  public record EventPosition(int partition, long offset) {}

  /** An audience transition that matched {@code trigger}. */
  public static DeliverySource of(Trigger trigger, MembershipTransition t) {
    return new DeliverySource(
        new TriggerView(trigger.audience(), trigger.on().wireName(), null),
        t.getProfileId(),
        new AudienceView(t.getAudienceId(), t.getAudienceName()),
        null,
        ProtoTime.instant(t.getOccurredAt()).toString(),
        null,
        null);
  }

  /**
   * An event that satisfied {@code condition}; {@code event} is its {@link #eventJson}, {@code
   * position} where it was read.
   */
  public static DeliverySource of(
      String condition, ResolvedEvent resolved, ObjectNode event, EventPosition position) {
    return new DeliverySource(
        new TriggerView(null, null, condition),
        resolved.getProfileId(),
        null,
        event,
        ProtoTime.instant(resolved.getEvent().getTimestamp()).toString(),
        null,
        position);
  }

  /**
   * A person's erasure, for a connector that takes erasure calls: the receiver learns whom to
   * delete by the person's identifiers, the only personal data such a call carries.
   */
  public static DeliverySource erasure(PrivacyRequest request) {
    List<String> identifiers =
        PrivacyAcks.identifiers(request).stream().map(IdentifierKey::toString).toList();
    return new DeliverySource(
        new TriggerView(null, ERASURE, null),
        request.getProfileId(),
        null,
        null,
        ProtoTime.instant(request.getRequestedAt()).toString(),
        identifiers,
        null);
  }

  /** Whether this is an erasure call rather than an activation. */
  @JsonIgnore
  public boolean isErasure() {
    return trigger != null && ERASURE.equals(trigger.on());
  }

  /**
   * The {@code event} variable of a resolved event: the Segment-spec JSON the collector accepted,
   * with the record's own fields filling in what the JSON lacks.
   */
  public static ObjectNode eventJson(ResolvedEvent resolved, JsonNode payload) {
    ObjectNode event =
        payload != null && payload.isObject()
            ? ((ObjectNode) payload).deepCopy()
            : com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
    var raw = resolved.getEvent();
    putIfAbsent(event, "messageId", raw.getMessageId());
    putIfAbsent(event, "type", raw.getType());
    putIfAbsent(event, "event", raw.getEvent());
    putIfAbsent(event, "userId", raw.getUserId());
    putIfAbsent(event, "anonymousId", raw.getAnonymousId());
    return event;
  }

  /** The {@code audience} variable: id and name, empty for event triggers. */
  public Map<String, Object> audienceVariable() {
    Map<String, Object> vars = new LinkedHashMap<>();
    if (audience != null) {
      vars.put("id", audience.id());
      vars.put("name", audience.name());
    }
    return vars;
  }

  /** The {@code event} variable, empty for audience triggers. */
  public Map<String, Object> eventVariable() {
    return CelValues.objectFromJson(event);
  }

  private static void putIfAbsent(ObjectNode event, String field, String value) {
    if (!event.hasNonNull(field) && !value.isEmpty()) {
      event.put(field, value);
    }
  }
}
