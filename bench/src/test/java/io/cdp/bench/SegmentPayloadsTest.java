package io.cdp.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdp.bench.SegmentPayloads.BatchTemplate;
import io.cdp.bench.SegmentPayloads.KeyedRecord;
import io.cdp.contracts.collector.v1.RawEvent;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class SegmentPayloadsTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void aBatchOfAHundredEventsAveragesAboutFiveHundredBytesPerEvent() throws Exception {
    BatchTemplate template = new SegmentPayloads(7, 1).batch(100);
    byte[] body = template.newBody();
    template.writeIds(body, 0);
    JsonNode batch = JSON.readTree(body).get("batch");
    assertEquals(100, batch.size());
    long bytes = 0;
    for (JsonNode event : batch) {
      bytes += JSON.writeValueAsBytes(event).length;
    }
    double average = bytes / 100.0;
    assertTrue(average > 450 && average < 600, "average event size " + average);
  }

  @Test
  void eventsMixTrackPageAndIdentifyFromKnownAndAnonymousVisitors() throws Exception {
    BatchTemplate template = new SegmentPayloads(7, 1).batch(100);
    Map<String, Integer> types = new TreeMap<>();
    int anonymous = 0;
    for (JsonNode event : JSON.readTree(template.newBody()).get("batch")) {
      types.merge(event.get("type").asText(), 1, Integer::sum);
      anonymous += event.has("anonymousId") ? 1 : 0;
    }
    assertEquals(Set.of("identify", "page", "track"), types.keySet());
    assertTrue(types.get("track") > types.get("page") && types.get("page") > types.get("identify"));
    assertTrue(anonymous > 30 && anonymous < 90, anonymous + " anonymous events");
  }

  @Test
  void everyRewrittenBatchCarriesNewDistinctMessageIds() throws Exception {
    BatchTemplate template = new SegmentPayloads(7, 0xabcdef).batch(100);
    byte[] body = template.newBody();
    Set<String> ids = new HashSet<>();
    for (long batch = 0; batch < 50; batch++) {
      template.writeIds(body, batch);
      for (JsonNode event : JSON.readTree(body).get("batch")) {
        String id = event.get("messageId").asText();
        assertTrue(id.matches("00abcdef-0000-4000-8000-[0-9a-f]{12}"), id);
        ids.add(id);
      }
    }
    assertEquals(5_000, ids.size());
  }

  @Test
  void rawRecordsAreTheCollectorsRecordsKeyedByTheBestIdentifier() throws Exception {
    List<KeyedRecord> records = new SegmentPayloads(7, 1).rawRecords(200, "source-1");
    long bytes = 0;
    for (KeyedRecord record : records) {
      bytes += record.value().length;
      RawEvent event = RawEvent.parseFrom(record.value());
      assertEquals(
          event.getUserId().isEmpty() ? event.getAnonymousId() : event.getUserId(), record.key());
      assertEquals("source-1", event.getSourceId());
      JsonNode payload = JSON.readTree(event.getPayloadJson().toByteArray());
      assertEquals(event.getMessageId(), payload.get("messageId").asText());
      assertTrue(payload.has("receivedAt") && payload.has("originalTimestamp"));
    }
    double average = bytes / 200.0;
    assertTrue(average > 700 && average < 950, "average record size " + average);
  }
}
