package io.cdp.consent;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EventConsentTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private final EventConsent consent =
      new EventConsent(
          Map.of(
              "Advertising", "advertising",
              "Marketing", "advertising",
              "Analytics", "analytics"));

  private Map<String, Boolean> choices(String json) throws Exception {
    return consent.choices(JSON.readTree(json));
  }

  @Test
  void categoriesMapToPurposesCaseInsensitively() throws Exception {
    assertEquals(
        Map.of("advertising", true, "analytics", false),
        choices(
            "{\"context\":{\"consent\":{\"categoryPreferences\":"
                + "{\"advertising\":true,\"ANALYTICS\":false}}}}"));
  }

  @Test
  void aNoForAnyCategoryOfAPurposeWins() throws Exception {
    assertEquals(
        Map.of("advertising", false),
        choices(
            "{\"context\":{\"consent\":{\"categoryPreferences\":"
                + "{\"Advertising\":true,\"Marketing\":false}}}}"));
  }

  @Test
  void unknownCategoriesNonBooleansAndEventsWithoutConsentGiveNothing() throws Exception {
    assertEquals(
        Map.of(),
        choices(
            "{\"context\":{\"consent\":{\"categoryPreferences\":"
                + "{\"Functional\":true,\"Advertising\":\"yes\"}}}}"));
    assertEquals(Map.of(), choices("{\"type\":\"track\",\"context\":{}}"));
    assertEquals(Map.of(), choices("{\"context\":{\"consent\":{\"categoryPreferences\":[]}}}"));
  }
}
