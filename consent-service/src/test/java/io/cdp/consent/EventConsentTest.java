package io.cdp.consent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdp.consent.EventConsent.Found;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EventConsentTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private final EventConsent consent =
      new EventConsent(
          Map.of(
              "Advertising", "advertising",
              "Marketing", "advertising",
              "Analytics", "analytics"),
          Map.of(
              "ad_storage", "advertising",
              "ad_user_data", "advertising",
              "ad_personalization", "personalization",
              "analytics_storage", "analytics"),
          new TcfConsent(
              Map.of(
                  "advertising", List.of(1, 2, 3, 4, 7),
                  "personalization", List.of(1, 5, 6),
                  "analytics", List.of(1, 8, 9, 10))));

  private Found find(String json) throws Exception {
    return consent.find(JSON.readTree(json));
  }

  @Test
  void categoriesMapToPurposesCaseInsensitively() throws Exception {
    Found found =
        find(
            "{\"context\":{\"consent\":{\"categoryPreferences\":"
                + "{\"advertising\":true,\"ANALYTICS\":false}}}}");
    assertEquals(Map.of("advertising", true, "analytics", false), found.choices());
    assertEquals("event", found.source());
  }

  @Test
  void aNoForAnyCategoryOfAPurposeWins() throws Exception {
    assertEquals(
        Map.of("advertising", false),
        find("{\"context\":{\"consent\":{\"categoryPreferences\":"
                + "{\"Advertising\":true,\"Marketing\":false}}}}")
            .choices());
  }

  @Test
  void unknownCategoriesNonBooleansAndEventsWithoutConsentGiveNothing() throws Exception {
    assertTrue(
        find("{\"context\":{\"consent\":{\"categoryPreferences\":"
                + "{\"Functional\":true,\"Advertising\":\"yes\"}}}}")
            .isEmpty());
    assertTrue(find("{\"type\":\"track\",\"context\":{}}").isEmpty());
    assertTrue(find("{\"context\":{\"consent\":{\"categoryPreferences\":[]}}}").isEmpty());
  }

  @Test
  void googleConsentModeFlagsMapToPurposesAndADeniedFlagWins() throws Exception {
    Found found =
        find(
            "{\"context\":{\"consent\":{\"googleConsentMode\":{\"ad_storage\":\"granted\","
                + "\"ad_user_data\":\"denied\",\"ad_personalization\":\"GRANTED\","
                + "\"analytics_storage\":\"granted\",\"functionality_storage\":\"denied\"}}}}");
    assertEquals(
        Map.of("advertising", false, "personalization", true, "analytics", true), found.choices());
    assertEquals("google_consent_mode", found.source());
  }

  @Test
  void googleConsentModeValuesOtherThanGrantedOrDeniedAreIgnored() throws Exception {
    assertTrue(
        find("{\"context\":{\"consent\":{\"googleConsentMode\":"
                + "{\"ad_storage\":true,\"analytics_storage\":\"maybe\"}}}}")
            .isEmpty());
  }

  @Test
  void aTcStringInTheContextOrAsGdprConsentIsDecodedAndMapped() throws Exception {
    Found inContext =
        find("{\"context\":{\"consent\":{\"tcf\":\"" + TcfConsentTest.ALL_PURPOSES + "\"}}}");
    assertEquals(
        Map.of("advertising", true, "personalization", true, "analytics", true),
        inContext.choices());
    assertEquals("tcf", inContext.source());
    assertEquals(TcfConsentTest.ALL_PURPOSES, inContext.tcf());

    // Tealium-style events carry data-layer fields in properties
    Found inProperties =
        find("{\"properties\":{\"gdpr_consent\":\"" + TcfConsentTest.PURPOSES_3_TO_9 + "\"}}");
    assertEquals(
        Map.of("advertising", false, "personalization", false, "analytics", false),
        inProperties.choices());
  }

  @Test
  void anUndecodableTcStringIsIgnoredAndTheOtherSignalsStillCount() throws Exception {
    Found found =
        find(
            "{\"gdpr_consent\":\"garbage!\",\"context\":{\"consent\":"
                + "{\"categoryPreferences\":{\"Analytics\":true}}}}");
    assertEquals(Map.of("analytics", true), found.choices());
    assertEquals("event", found.source());
    assertNull(found.tcf());
  }

  @Test
  void signalsCombineAndANoFromAnyOfThemWins() throws Exception {
    Found found =
        find(
            "{\"context\":{\"consent\":{\"tcf\":\""
                + TcfConsentTest.ALL_PURPOSES
                + "\",\"googleConsentMode\":{\"ad_storage\":\"denied\"}}}}");
    assertEquals(
        Map.of("advertising", false, "personalization", true, "analytics", true), found.choices());
    assertEquals("tcf+google_consent_mode", found.source());
  }

  @Test
  void theCountryOfTheEventIsReportedUpperCased() throws Exception {
    Found found = find("{\"context\":{\"location\":{\"country\":\" de\"}}}");
    assertEquals("DE", found.country());
    assertEquals(Map.of(), found.choices());
    assertTrue(!found.isEmpty());
  }
}
