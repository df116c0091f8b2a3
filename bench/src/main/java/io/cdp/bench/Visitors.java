package io.cdp.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cdp.contracts.collector.v1.RawEvent;
import java.time.Instant;

/**
 * The visitors of a website as the identity service sees them: visitor {@code v} of a population
 * browses as {@code anonymous_id:<population>-anon-<v>}; every third one ({@link #logsIn}) logs in
 * once as {@code user_id:<population>-user-<v>} with an email, which links the two, and from then
 * on sends both ids. Events are {@link RawEvent}s as the collector writes them; their messageIds
 * start with the tag given, so a run finds its own records on {@code cdp.events.resolved}.
 */
final class Visitors {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final String population;
  private long sequence;

  Visitors(String population) {
    this.population = population;
  }

  /** Whether visitor {@code v} logs in (a third of them do). */
  static boolean logsIn(int v) {
    return v % 3 == 0;
  }

  /** The first page view of a new anonymous visitor: a new profile. */
  RawEvent firstVisit(int v, String tag, Instant receivedAt) {
    ObjectNode event = event("page", tag, receivedAt);
    event.put("anonymousId", anonymousId(v));
    event.put("name", "Home");
    return SegmentPayloads.raw(event, "bench", receivedAt);
  }

  /** The login of visitor {@code v}: its user id and email linked to its anonymous profile. */
  RawEvent login(int v, String tag, Instant receivedAt) {
    ObjectNode event = event("identify", tag, receivedAt);
    event.put("userId", userId(v));
    event.put("anonymousId", anonymousId(v));
    event.putObject("traits").put("email", userId(v) + "@example.com").put("plan", "plus");
    return SegmentPayloads.raw(event, "bench", receivedAt);
  }

  /** A later event of visitor {@code v}: with its user id too once it {@link #logsIn}. */
  RawEvent returning(int v, String tag, Instant receivedAt) {
    ObjectNode event = event("track", tag, receivedAt);
    if (logsIn(v)) {
      event.put("userId", userId(v));
    }
    event.put("anonymousId", anonymousId(v));
    event.put("event", "Product Viewed");
    event.putObject("properties").put("product_id", "sku-" + (10_000 + v % 90_000));
    return SegmentPayloads.raw(event, "bench", receivedAt);
  }

  /** The record key the collector gives an event: its user id, else its anonymous id. */
  static String key(RawEvent event) {
    return event.getUserId().isEmpty() ? event.getAnonymousId() : event.getUserId();
  }

  private String anonymousId(int v) {
    return population + "-anon-" + v;
  }

  private String userId(int v) {
    return population + "-user-" + v;
  }

  private ObjectNode event(String type, String tag, Instant receivedAt) {
    ObjectNode event = JSON.createObjectNode();
    event.put("type", type);
    event.put("messageId", tag + "-" + sequence++);
    event.put("timestamp", receivedAt.toString());
    ObjectNode context = event.putObject("context");
    context.putObject("library").put("name", "analytics.js").put("version", "5.2.0");
    context.put("locale", "en-GB");
    context.putObject("page").put("url", "https://shop.example.com/");
    return event;
  }
}
