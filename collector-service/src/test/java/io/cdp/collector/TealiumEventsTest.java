package io.cdp.collector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

class TealiumEventsTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void tealiumFieldsMapOntoATrackCall() throws Exception {
    JsonNode event =
        TealiumEvents.toSegment(
            JSON.readTree(
                "{\"tealium_account\":\"a\",\"tealium_profile\":\"p\",\"tealium_visitor_id\":\"v1\","
                    + "\"tealium_event\":\"cart_add\",\"customer_id\":42,\"sku\":\"X\"}"),
            List.of("customer_id"));
    assertEquals("track", event.get("type").asText());
    assertEquals("cart_add", event.get("event").asText());
    assertEquals("v1", event.get("anonymousId").asText());
    assertEquals("42", event.get("userId").asText());
    assertEquals("X", event.at("/properties/sku").asText());
    assertFalse(event.get("properties").has("tealium_visitor_id"));
  }

  @Test
  void sharedFieldsFillWhatAnEventLeavesOut() throws Exception {
    JsonNode merged =
        TealiumEvents.withShared(
            JSON.readTree("{\"tealium_account\":\"a\",\"tealium_profile\":\"p\",\"x\":1}"),
            JSON.readTree("{\"x\":2}"));
    assertEquals(new TealiumEvents.Pair("a", "p"), TealiumEvents.pair(merged));
    assertEquals(2, merged.get("x").asInt());
    assertNull(TealiumEvents.pair(JSON.readTree("{\"tealium_account\":\"a\"}")));
  }
}
