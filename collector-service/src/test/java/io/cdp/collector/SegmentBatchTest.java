package io.cdp.collector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cdp.collector.EventBatch.Accepted;
import io.cdp.common.rest.ApiException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The fast path of {@code /v1/batch} gives exactly what the tree normalisation gives (the same
 * fields, values and field order), or leaves the body to it.
 */
class SegmentBatchTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Instant RECEIVED = Instant.parse("2026-01-01T12:00:10.123Z");
  private static final EventBatch.Limits LIMITS = new EventBatch.Limits(32 * 1024, 2500);

  /** The general path: the body as a tree, checked by {@link EventBatch#check}. */
  private static List<Accepted> general(String body) throws Exception {
    JsonNode request = JSON.readTree(body);
    List<JsonNode> raw = new ArrayList<>();
    request.get("batch").forEach(raw::add);
    return EventBatch.check(
        new EventBatch.Request(
            raw, null, SegmentEvents.textOrNull(request, "sentAt"), request.get("context")),
        RECEIVED,
        LIMITS,
        JSON);
  }

  private static SegmentBatch.Read fast(String body) {
    return SegmentBatch.read(body.getBytes(StandardCharsets.UTF_8), RECEIVED, LIMITS, JSON);
  }

  /** Both paths accept {@code body} with the same result; the fast one answers it itself. */
  private static void same(String body) throws Exception {
    List<Accepted> expected = general(body);
    SegmentBatch.Read read = fast(body);
    assertNotNull(read, "the fast path declined " + body);
    assertEquals(expected.size(), read.events().size());
    for (int i = 0; i < expected.size(); i++) {
      Accepted want = expected.get(i);
      Accepted got = read.events().get(i);
      ObjectNode wantJson = (ObjectNode) JSON.readTree(want.payload());
      ObjectNode gotJson = (ObjectNode) JSON.readTree(got.payload());
      if (!wantJson.get("messageId").asText().equals(gotJson.get("messageId").asText())) {
        // generated on both sides: a UUID each, in the same place
        UUID.fromString(gotJson.get("messageId").asText());
        assertEquals(gotJson.get("messageId").asText(), got.messageId());
        gotJson.put("messageId", wantJson.get("messageId").asText());
      } else {
        assertEquals(want.messageId(), got.messageId());
      }
      assertEquals(wantJson, gotJson);
      assertEquals(names(wantJson), names(gotJson), "field order");
      assertEquals(want.type(), got.type());
      assertEquals(want.event(), got.event());
      assertEquals(want.userId(), got.userId());
      assertEquals(want.anonymousId(), got.anonymousId());
      assertEquals(want.timestamp(), got.timestamp());
      assertEquals(want.receivedAt(), got.receivedAt());
    }
  }

  private static List<String> names(ObjectNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  @Test
  void aBrowserBatchComesOutAsTheTreeWouldWriteIt() throws Exception {
    same(
        """
        {"batch":[
          {"type":"track","userId":"user-1","messageId":"m-1","timestamp":"2026-01-01T11:59:50.5Z",
           "event":"Product Viewed","properties":{"price":10.990,"name":"Caf\\u00e9 \\"Shoe\\"",
           "tags":["a",1,true,null,{"x":[]}],"big":123456789012345678901234567890},
           "context":{"library":{"name":"analytics.js","version":"5.2.0"},"locale":"de-DE"}},
          { "type" : "page" , "anonymousId" : "a-1" , "messageId" : "m-2" ,
            "name" : "Zürich ✓" , "properties" : { } , "timestamp" : "2026-01-01T13:59:50+02:00" } ,
          {"type":"identify","userId":"user-2","traits":{"email":"x@example.com"},
           "timestamp":"2026-01-01T11:59:50Z","sentAt":"2026-01-01T12:00:00Z","messageId":"m-3"}
        ],
        "sentAt":"2026-01-01T12:00:05Z"}
        """);
  }

  @Test
  void timesAreCorrectedAndStampedInPlaceOrAdded() throws Exception {
    same(
        """
        {"sentAt":"2026-01-01T12:00:05Z","batch":[
          {"receivedAt":"yesterday","type":"track","event":"E","userId":"u","messageId":"m-1"},
          {"type":"track","event":"E","userId":"u","messageId":"m-2",
           "originalTimestamp":"2026-01-01T11:00:00Z"},
          {"type":"track","event":"E","userId":"u","messageId":"m-3","originalTimestamp":null,
           "timestamp":null},
          {"type":"track","event":"E","userId":"u","messageId":"m-4",
           "originalTimestamp":"2000-01-01T00:00:00Z","timestamp":"2026-01-01T11:00:00.000001Z"},
          {"type":"track","event":"E","userId":"u","messageId":"m-5","sentAt":null,
           "timestamp":"2026-01-01T11:00:00Z","receivedAt":{"a":[1]}}
        ]}
        """);
    same(
        """
        {"batch":[{"type":"track","event":"E","userId":"u","timestamp":"2026-01-01T11:00:00Z"}]}
        """);
  }

  @Test
  void theSharedContextGoesToEventsWithoutOne() throws Exception {
    same(
        """
        {"context":{"ip":"203.0.113.1","library":{"name":"analytics-node"}},"batch":[
          {"type":"track","event":"E","userId":"u","messageId":"m-1"},
          {"type":"track","event":"E","userId":"u","messageId":"m-2","context":{"ip":"x"}},
          {"type":"track","event":"E","userId":"u","messageId":"m-3","context":null}
        ],"writeKey":"wk"}
        """);
    assertEquals("wk", fast("{\"writeKey\":\"wk\",\"batch\":[]}").writeKey());
  }

  @Test
  void unusualEventsTakeTheTreeNormalisationAndStillComeOutTheSame() throws Exception {
    same(
        """
        {"batch":[
          {"type":"track","event":"E","userId":42,"messageId":"m-1"},
          {"type":"track","event":"E","userId":"u","messageId":"m-2","writeKey":"secret"},
          {"type":"track","event":"E","userId":"u","messageId":"m-3","event":"F"},
          {"type":"track","event":"E","userId":"u","messageId":""},
          {"type":"track","event":"E","userId":"u","messageId":"m-5","sentAt":"2026-01-01T12:00Z",
           "timestamp":"2026-01-01T11:59Z"}
        ]}
        """);
  }

  @Test
  void bodiesWithAnyProblemAreLeftToTheGeneralPath() throws Exception {
    for (String body :
        List.of(
            "{\"batch\":[{\"type\":\"track\",\"event\":\"E\",\"userId\":\"u\"}",
            "{\"batch\":[{\"type\":\"track\",\"event\":\"E\"}]}",
            "{\"batch\":[{\"type\":\"track\",\"userId\":\"u\"}]}",
            "{\"batch\":[{\"type\":\"unknown\",\"userId\":\"u\"}]}",
            "{\"batch\":[{\"type\":\"track\",\"event\":\"E\",\"userId\":\"u\",\"timestamp\":\"\"}]}",
            "{\"batch\":[{\"type\":\"track\",\"event\":\"E\",\"userId\":\"u\",\"properties\":[]}]}",
            "{\"batch\":[1]}",
            "{\"batch\":{}}",
            "{\"events\":[]}",
            "[]",
            "{\"batch\":[],\"batch\":[]}",
            "{\"sentAt\":\"not a time\",\"batch\":[{\"type\":\"page\",\"userId\":\"u\"}]}",
            "{\"batch\":[{\"type\":\"track\",\"event\":\"E\",\"userId\":\"u\"} /* no */]}")) {
      assertNull(fast(body), body);
    }
    // one event too many
    String event = "{\"type\":\"track\",\"event\":\"E\",\"userId\":\"u\"}";
    String tooMany = "{\"batch\":[" + (event + ",").repeat(2500) + event + "]}";
    assertNull(fast(tooMany));
    assertThrows(ApiException.class, () -> general(tooMany));
  }

  @Test
  void anEventTooLargeAsSentMayStillFitOnceWrittenCompactly() throws Exception {
    String padding = " ".repeat(33 * 1024);
    same(
        "{\"batch\":[{\"type\":\"track\",\"event\":\"E\","
            + padding
            + "\"userId\":\"u\",\"messageId\":\"m\"}]}");
  }
}
