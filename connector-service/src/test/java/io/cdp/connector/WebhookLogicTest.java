package io.cdp.connector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.Timestamp;
import io.cdp.contracts.audience.v1.MembershipTransition;
import io.cdp.contracts.audience.v1.TransitionKind;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The pure rules of a delivery: who fires, its id, its body and its signature. */
class WebhookLogicTest {

  private static MembershipTransition transition(String audience, TransitionKind kind) {
    return MembershipTransition.newBuilder()
        .setTransitionId("t-1")
        .setProfileId("p-1")
        .setAudienceId(audience)
        .setAudienceName("High value")
        .setKind(kind)
        .setOccurredAt(Timestamp.newBuilder().setSeconds(1_767_225_600L).setNanos(5_000_000))
        .build();
  }

  @Test
  void signatureIsTheRfc4231HmacSha256Vector() {
    // RFC 4231, test case 2.
    assertEquals(
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
        Signatures.hmacSha256Hex(
            "Jefe".getBytes(StandardCharsets.UTF_8),
            "what do ya want for nothing?".getBytes(StandardCharsets.UTF_8)));
    assertEquals(
        "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
        Signatures.header("Jefe", "what do ya want for nothing?".getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void secretsAreThirtyTwoRandomBytes() {
    String secret = Signatures.newSecret();
    assertEquals(32, Base64.getUrlDecoder().decode(secret).length);
    assertNotEquals(secret, Signatures.newSecret());
  }

  @Test
  void triggerMatchesItsAudienceAndKindOnly() {
    Trigger joined = new Trigger("a-1", TriggerOn.JOINED);
    assertTrue(joined.matches(transition("a-1", TransitionKind.JOINED)));
    assertFalse(joined.matches(transition("a-2", TransitionKind.JOINED)));
    assertFalse(joined.matches(transition("a-1", TransitionKind.LEFT)));
    assertTrue(
        new Trigger("a-1", TriggerOn.IN_AUDIENCE_AT_VISIT_END)
            .matches(transition("a-1", TransitionKind.IN_AUDIENCE_AT_VISIT_END)));
  }

  @Test
  void triggerNamesAreApiMdSpelling() {
    assertEquals(
        TriggerOn.IN_AUDIENCE_AT_VISIT_START,
        TriggerOn.parse("in_audience_at_visit_start").orElseThrow());
    assertTrue(TriggerOn.parse("JOINED").isEmpty());
    assertTrue(TriggerOn.parse("entered").isEmpty());
  }

  @Test
  void deliveryIdIsStablePerTransitionAndConnector() {
    assertEquals(WebhookPayload.deliveryId("t-1", "c-1"), WebhookPayload.deliveryId("t-1", "c-1"));
    assertNotEquals(
        WebhookPayload.deliveryId("t-1", "c-1"), WebhookPayload.deliveryId("t-1", "c-2"));
    assertNotEquals(
        WebhookPayload.deliveryId("t-1", "c-1"), WebhookPayload.deliveryId("t-2", "c-1"));
  }

  @Test
  void bodyCarriesTheApiMdFieldsAndOnlyTheMappedData() throws Exception {
    Trigger trigger = new Trigger("a-1", TriggerOn.JOINED);
    DeliverySource source = DeliverySource.of(trigger, transition("a-1", TransitionKind.JOINED));
    String id = WebhookPayload.deliveryId("t-1", "c-1");
    byte[] body = WebhookPayload.of(id, "c-1", source, Map.of("email", "ann@example.com")).toJson();
    JsonNode json = new ObjectMapper().readTree(body);
    assertEquals(id, json.get("deliveryId").asText());
    assertEquals("c-1", json.get("connectorId").asText());
    assertEquals("a-1", json.at("/trigger/audience").asText());
    assertEquals("joined", json.at("/trigger/on").asText());
    assertFalse(json.get("trigger").has("event"));
    assertEquals("p-1", json.get("profileId").asText());
    assertEquals("High value", json.at("/audience/name").asText());
    assertEquals(1, json.get("data").size());
    assertEquals("ann@example.com", json.at("/data/email").asText());
    assertEquals("2026-01-01T00:00:00.005Z", json.get("occurredAt").asText());
  }

  @Test
  void aDeliverySourceSurvivesItsStoredForm() throws Exception {
    ObjectMapper mapper = new ObjectMapper();
    DeliverySource source =
        DeliverySource.of(
            new Trigger("a-1", TriggerOn.LEFT), transition("a-1", TransitionKind.LEFT));
    DeliverySource read = mapper.readValue(mapper.writeValueAsString(source), DeliverySource.class);
    assertEquals(source, read);
    assertEquals(Map.of("id", "a-1", "name", "High value"), read.audienceVariable());
    assertEquals(Map.of(), read.eventVariable());
  }

  @Test
  void backoffDoublesItsCeilingAndJittersBelowIt() {
    Backoff backoff = new Backoff(Duration.ofMillis(200));
    assertEquals(Duration.ofMillis(200), backoff.ceiling(1));
    assertEquals(Duration.ofMillis(400), backoff.ceiling(2));
    assertEquals(Duration.ofMillis(800), backoff.ceiling(3));
    for (int i = 0; i < 100; i++) {
      long wait = backoff.after(3).toMillis();
      assertTrue(wait >= 400 && wait <= 800, "wait " + wait);
    }
  }
}
