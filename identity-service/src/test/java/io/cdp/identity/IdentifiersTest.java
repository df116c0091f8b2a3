package io.cdp.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Extraction and normalisation of identifiers, without any infrastructure. */
class IdentifiersTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Identifiers IDENTIFIERS = new Identifiers(MergeRules.DEFAULTS);

  private static JsonNode json(Map<String, Object> fields) {
    return JSON.valueToTree(fields);
  }

  private static List<String> keys(List<IdentifierRef> ids) {
    return ids.stream().map(IdentifierRef::key).toList();
  }

  @Test
  void anIdentifyYieldsEveryIdentifierHighestPriorityFirst() {
    JsonNode payload =
        json(Map.of("traits", Map.of("email", "  Ann@Example.COM ", "phone", "+1 (555) 010-9999")));
    List<IdentifierRef> ids = IDENTIFIERS.extract("identify", "42", "a-1", payload);
    assertEquals(
        List.of("user_id:42", "email:ann@example.com", "phone:+15550109999", "anonymous_id:a-1"),
        keys(ids));
  }

  @Test
  void contextTraitsEmailCountsAndDuplicatesCollapse() {
    JsonNode payload =
        json(
            Map.of(
                "traits", Map.of("email", "ann@example.com"),
                "context", Map.of("traits", Map.of("email", "ANN@example.com"))));
    assertEquals(
        List.of("email:ann@example.com", "anonymous_id:a-1"),
        keys(IDENTIFIERS.extract("track", "", "a-1", payload)));
    JsonNode onlyContext =
        json(Map.of("context", Map.of("traits", Map.of("email", "Bob@Example.com"))));
    assertEquals(
        List.of("email:bob@example.com"), keys(IDENTIFIERS.extract("page", "", "", onlyContext)));
  }

  @Test
  void aliasPreviousIdIsTheAnonymousIdOfTheUserWhenThereIsAUserId() {
    JsonNode payload = json(Map.of("previousId", "old-cookie"));
    assertEquals(
        List.of("user_id:u-1", "anonymous_id:old-cookie"),
        keys(IDENTIFIERS.extract("alias", "u-1", "", payload)));
  }

  @Test
  void aliasPreviousIdWithoutUserIdIsAUserId() {
    JsonNode payload = json(Map.of("previousId", "u-old"));
    assertEquals(
        List.of("user_id:u-old", "anonymous_id:a-9"),
        keys(IDENTIFIERS.extract("alias", "", "a-9", payload)));
  }

  @Test
  void previousIdOutsideAliasIsIgnored() {
    JsonNode payload = json(Map.of("previousId", "u-old"));
    assertEquals(List.of("user_id:u-1"), keys(IDENTIFIERS.extract("track", "u-1", "", payload)));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "   ",
        "null",
        "NULL",
        "undefined",
        "Anonymous",
        "-1",
        "0",
        "0000",
        "00000000-0000-0000-0000-000000000000"
      })
  void blockedValuesAreIgnoredForEveryType(String value) {
    for (String type : List.of("user_id", "anonymous_id", "email", "phone", "crm_id")) {
      assertEquals(Optional.empty(), IDENTIFIERS.normalise(type, value), type + ":" + value);
    }
  }

  @Test
  void blockedValuesInAnEventLeaveOnlyTheRealOnes() {
    JsonNode payload = json(Map.of("traits", Map.of("email", "undefined", "phone", "+000")));
    assertEquals(
        List.of("user_id:u-7"), keys(IDENTIFIERS.extract("identify", "u-7", "anonymous", payload)));
    assertTrue(IDENTIFIERS.extract("page", "null", "0", null).isEmpty());
  }

  @Test
  void phonesKeepALeadingPlusAndOnlyDigits() {
    assertEquals("phone:+4915112345678", key("phone", " +49 151 1234-5678 "));
    assertEquals("phone:5550100", key("phone", "555-0100"));
    assertEquals(Optional.empty(), IDENTIFIERS.normalise("phone", "n/a"));
  }

  @Test
  void numericTraitsAreReadAsWrittenAndOtherShapesIgnored() {
    JsonNode payload = json(Map.of("traits", Map.of("phone", 5550100, "email", List.of("x@y.z"))));
    assertEquals(
        List.of("phone:5550100", "anonymous_id:a"),
        keys(IDENTIFIERS.extract("identify", "", "a", payload)));
  }

  @Test
  void userIdsAreTrimmedButKeepTheirCase() {
    assertEquals("user_id:AbC", key("user_id", " AbC "));
    assertEquals("email:ann@example.com", key("EMAIL", "Ann@Example.com"));
  }

  @Test
  void externalIdsBecomeIdentifiersOfTheirType() {
    JsonNode payload =
        json(
            Map.of(
                "context",
                Map.of(
                    "externalIds",
                    List.of(
                        Map.of("id", "crm-7", "type", "CRM_ID", "collection", "users"),
                        Map.of("id", " Bob@Example.com ", "type", "email", "encoding", "none"),
                        Map.of("id", "null", "type", "ga_client_id"),
                        Map.of("id", "p-1", "type", "profile_id"),
                        Map.of("type", "no_id")))));
    assertEquals(
        List.of("email:bob@example.com", "anonymous_id:a-1", "crm_id:crm-7"),
        keys(IDENTIFIERS.extract("track", "", "a-1", payload)));
  }

  @Test
  void phonesBecomeE164WithTheConfiguredCountryCode() {
    Identifiers german =
        new Identifiers(
            MergeRules.withOverrides(
                Map.of(), Map.of(), 5, MergeRules.DEFAULT_BLOCKED_VALUES, "+49"));
    assertEquals("phone:+4915112345678", german.normalise("phone", "0151 1234 5678").get().key());
    assertEquals("phone:+4915112345678", german.normalise("phone", "151-12345678").get().key());
    assertEquals("phone:+15550100", german.normalise("phone", "+1 555 0100").get().key());
    assertEquals("phone:+4415550100", german.normalise("phone", "0044 155 50100").get().key());
  }

  @Test
  void blockedValuesAreConfigurable() {
    Identifiers strict =
        new Identifiers(MergeRules.withOverrides(Map.of(), Map.of(), 5, Set.of("Guest"), ""));
    assertEquals(Optional.empty(), strict.normalise("user_id", "guest"));
    assertEquals(Optional.empty(), strict.normalise("user_id", "000"));
    assertEquals("user_id:anonymous", strict.normalise("user_id", "anonymous").get().key());
  }

  private static String key(String type, String value) {
    return IDENTIFIERS.normalise(type, value).orElseThrow().key();
  }
}
