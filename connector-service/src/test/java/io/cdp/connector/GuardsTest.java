package io.cdp.connector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cdp.connector.CircuitBreaker.State;
import org.junit.jupiter.api.Test;

/** The circuit breaker, the rate limiter and the crm verbs, on their own. */
class GuardsTest {

  private static final long SECOND = 1_000_000_000L;

  @Test
  void theCircuitOpensAfterTheThresholdWaitsTheCoolDownAndProbesOnce() {
    CircuitBreaker circuit = new CircuitBreaker(3, 10 * SECOND, SECOND / 10);
    circuit.failed(0);
    circuit.failed(1);
    assertEquals(0, circuit.permit(2));
    circuit.failed(2);
    assertEquals(State.OPEN, circuit.state());
    assertEquals(10 * SECOND - 3, circuit.permit(5));
    // Still open when nobody asked, however long ago it opened.
    assertEquals(State.OPEN, circuit.state());

    assertEquals(0, circuit.permit(10 * SECOND + 2));
    assertEquals(State.HALF_OPEN, circuit.state());
    assertEquals(SECOND / 10, circuit.permit(10 * SECOND + 3), "one probe at a time");
    circuit.failed(11 * SECOND);
    assertEquals(State.OPEN, circuit.state());
    assertTrue(circuit.permit(12 * SECOND) > 0);

    assertEquals(0, circuit.permit(21 * SECOND));
    circuit.succeeded();
    assertEquals(State.CLOSED, circuit.state());
    assertEquals(0, circuit.permit(21 * SECOND));
    assertEquals(2, circuit.opened());
  }

  @Test
  void aSuccessResetsTheCountAndAProbeThatMadeNoCallLetsAnotherProbe() {
    CircuitBreaker circuit = new CircuitBreaker(2, SECOND, SECOND / 10);
    circuit.failed(0);
    circuit.succeeded();
    circuit.failed(1);
    assertEquals(State.CLOSED, circuit.state());
    circuit.failed(2);
    assertEquals(State.OPEN, circuit.state());
    // A call that started before it opened and fails late does not extend the cool-down.
    circuit.failed(SECOND / 2);
    assertEquals(0, circuit.permit(SECOND + 2));
    circuit.released();
    assertEquals(0, circuit.permit(SECOND + 3));
  }

  @Test
  void theRateLimiterSpacesCallsAndReleasesNoBurstAfterAPause() {
    RateLimiter limiter = new RateLimiter(4);
    assertEquals(0, limiter.permit(0));
    assertEquals(SECOND / 4, limiter.permit(0));
    assertEquals(SECOND / 8, limiter.permit(SECOND / 8));
    assertEquals(0, limiter.permit(SECOND / 4));
    // After a long pause one call goes, and the next waits a full interval from it.
    assertEquals(0, limiter.permit(10 * SECOND));
    assertEquals(SECOND / 4, limiter.permit(10 * SECOND));
  }

  @Test
  void aCrmCallUpsertsUnlessTheProfileLeftOrIsErased() {
    DeliverySource joined =
        new DeliverySource(
            new DeliverySource.TriggerView("a", "joined", null), "p", null, null, "t", null, null);
    DeliverySource left =
        new DeliverySource(
            new DeliverySource.TriggerView("a", "left", null), "p", null, null, "t", null, null);
    DeliverySource event =
        new DeliverySource(
            new DeliverySource.TriggerView(null, null, "true"), "p", null, null, "t", null, null);
    DeliverySource erasure =
        new DeliverySource(
            new DeliverySource.TriggerView(null, "erasure", null),
            "p",
            null,
            null,
            "t",
            null,
            null);
    assertEquals("PUT", CrmAction.of(joined).method());
    assertEquals("DELETE", CrmAction.of(left).method());
    assertEquals("PUT", CrmAction.of(event).method());
    assertEquals("DELETE", CrmAction.of(erasure).method());
    assertEquals("delete", CrmAction.of(erasure).wireName());
    assertEquals(
        "http://crm/contacts/p%201%2F2", CrmAction.recordUrl("http://crm/contacts/", "p 1/2"));
  }
}
