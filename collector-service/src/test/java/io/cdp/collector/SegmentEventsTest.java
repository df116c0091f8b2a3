package io.cdp.collector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class SegmentEventsTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Instant RECEIVED = Instant.parse("2026-01-01T12:00:10Z");

  private static ObjectNode event(String json) throws Exception {
    return (ObjectNode) JSON.readTree(json);
  }

  @Test
  void clockSkewIsCorrectedFromSentAt() throws Exception {
    // The client's clock is 10 s behind: it sent at 12:00:00 by its clock, we received at 12:00:10.
    var result =
        SegmentEvents.normalise(
            event(
                "{\"userId\":\"u\",\"event\":\"E\",\"timestamp\":\"2026-01-01T11:59:50Z\","
                    + "\"sentAt\":\"2026-01-01T12:00:00Z\"}"),
            "track",
            null,
            RECEIVED);
    assertNull(result.problem());
    assertEquals("2026-01-01T12:00:00Z", result.event().get("timestamp").asText());
    assertEquals("2026-01-01T11:59:50Z", result.event().get("originalTimestamp").asText());
    assertEquals(RECEIVED.toString(), result.event().get("receivedAt").asText());
  }

  @Test
  void originalTimestampStandsInForAMissingTimestamp() throws Exception {
    var result =
        SegmentEvents.normalise(
            event(
                "{\"userId\":\"u\",\"event\":\"E\",\"originalTimestamp\":\"2026-01-01T11:59:50Z\","
                    + "\"sentAt\":\"2026-01-01T12:00:00Z\"}"),
            "track",
            null,
            RECEIVED);
    assertEquals("2026-01-01T12:00:00Z", result.event().get("timestamp").asText());
    assertEquals("2026-01-01T11:59:50Z", result.event().get("originalTimestamp").asText());
  }

  @Test
  void aMissingMessageIdIsGeneratedAndTheWriteKeyDropped() throws Exception {
    var result =
        SegmentEvents.normalise(
            event("{\"anonymousId\":\"a\",\"writeKey\":\"secret\"}"), "page", null, RECEIVED);
    assertFalse(result.event().get("messageId").asText().isEmpty());
    assertFalse(result.event().has("writeKey"));
    assertEquals(RECEIVED.toString(), result.event().get("timestamp").asText());
  }

  @Test
  void refusalsSayWhy() throws Exception {
    assertEquals(
        "missing_identity",
        SegmentEvents.normalise(event("{\"event\":\"E\"}"), "track", null, RECEIVED)
            .problem()
            .code());
    assertEquals(
        "missing_field",
        SegmentEvents.normalise(event("{\"userId\":\"u\"}"), "track", null, RECEIVED)
            .problem()
            .code());
    assertEquals(
        "unknown_type",
        SegmentEvents.normalise(event("{\"type\":\"x\",\"userId\":\"u\"}"), null, null, RECEIVED)
            .problem()
            .code());
    assertEquals(
        "properties",
        SegmentEvents.normalise(
                event("{\"userId\":\"u\",\"event\":\"E\",\"properties\":[1]}"),
                "track",
                null,
                RECEIVED)
            .problem()
            .field());
  }

  @Test
  void numericUserIdsBecomeStrings() throws Exception {
    var result =
        SegmentEvents.normalise(event("{\"userId\":42,\"event\":\"E\"}"), "track", null, RECEIVED);
    assertEquals("42", result.event().get("userId").asText());
  }
}
