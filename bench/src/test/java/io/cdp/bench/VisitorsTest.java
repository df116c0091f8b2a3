package io.cdp.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdp.contracts.ProtoTime;
import io.cdp.contracts.collector.v1.RawEvent;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class VisitorsTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Instant AT = Instant.parse("2026-11-25T10:00:00.123456Z");

  @Test
  void aLoginCarriesTheUserIdEmailAndTheAnonymousIdOfTheSameVisitor() throws Exception {
    Visitors visitors = new Visitors("pop");
    RawEvent first = visitors.firstVisit(3, "run", AT);
    RawEvent login = visitors.login(3, "run", AT);
    assertEquals("pop-anon-3", first.getAnonymousId());
    assertEquals("", first.getUserId());
    assertEquals(first.getAnonymousId(), login.getAnonymousId());
    assertEquals("pop-user-3", login.getUserId());
    JsonNode payload = JSON.readTree(login.getPayloadJson().toByteArray());
    assertEquals("identify", payload.get("type").asText());
    assertEquals("pop-user-3@example.com", payload.at("/traits/email").asText());
    assertEquals("pop-user-3", Visitors.key(login));
    assertEquals("pop-anon-3", Visitors.key(first));
  }

  @Test
  void onlyVisitorsWhoLogInReturnWithTheirUserId() {
    Visitors visitors = new Visitors("pop");
    assertTrue(Visitors.logsIn(3));
    assertEquals("pop-user-3", visitors.returning(3, "run", AT).getUserId());
    assertEquals("", visitors.returning(4, "run", AT).getUserId());
    assertEquals("pop-anon-4", visitors.returning(4, "run", AT).getAnonymousId());
  }

  @Test
  void everyEventHasItsOwnTaggedMessageIdAndIsReceivedWhenGiven() {
    Visitors visitors = new Visitors("pop");
    RawEvent a = visitors.returning(1, "latency-warm", AT);
    RawEvent b = visitors.returning(1, "latency-warm", AT);
    assertTrue(a.getMessageId().startsWith("latency-warm-"), a.getMessageId());
    assertNotEquals(a.getMessageId(), b.getMessageId());
    assertEquals(AT, ProtoTime.instant(a.getReceivedAt()));
  }
}
