package io.cdp.connector.messaging;

import io.cdp.connector.CircuitBreaker;
import io.cdp.connector.RateLimiter;
import io.cdp.connector.config.DeliveryConfig;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

/**
 * Each connector's circuit breaker and rate limiter, in this instance's memory: a delivery waits
 * here (on a timer, holding its lane slot) until its destination may be called. Waiting costs no
 * attempt, and the deliveries behind it stay queued in the lane and the outbox.
 *
 * <p>Both are per instance: with several instances, a connector's rate limit applies to each.
 * Metrics: {@code cdp.connector.circuit.open} (1 while open or half-open) and {@code
 * cdp.connector.circuit.opened} (how often it opened), per connector.
 */
@ApplicationScoped
public class DestinationGuards {

  /** While the probe of a half-open circuit is out, the others ask again this often. */
  private static final Duration PROBE_WAIT = Duration.ofMillis(100);

  private final DeliveryConfig config;
  private final MeterRegistry metrics;
  private final Vertx vertx;
  private final Map<UUID, CircuitBreaker> circuits = new ConcurrentHashMap<>();
  private final Map<UUID, RateLimiter> limiters = new ConcurrentHashMap<>();

  public DestinationGuards(DeliveryConfig config, MeterRegistry metrics, Vertx vertx) {
    this.config = config;
    this.metrics = metrics;
    this.vertx = vertx;
  }

  /**
   * Completes on {@code here} once {@code connectorId}'s circuit lets a call go. The caller then
   * reports the call with {@link #called}, or {@link #notCalled} if it made none.
   */
  public Uni<Void> awaitCircuit(UUID connectorId, Executor here) {
    CircuitBreaker circuit = circuit(connectorId);
    return awaitPermit(() -> circuit.permit(System.nanoTime()), here);
  }

  /** Completes on {@code here} once a call within {@code perSecond} may go; null: no limit. */
  public Uni<Void> awaitRate(UUID connectorId, Integer perSecond, Executor here) {
    if (perSecond == null) {
      limiters.remove(connectorId);
      return Uni.createFrom().voidItem();
    }
    RateLimiter limiter =
        limiters.compute(
            connectorId,
            (id, known) ->
                known != null && known.perSecond() == perSecond
                    ? known
                    : new RateLimiter(perSecond));
    return awaitPermit(() -> limiter.permit(System.nanoTime()), here);
  }

  /** The destination was called: {@code ok} if it took the delivery. */
  public void called(UUID connectorId, boolean ok) {
    CircuitBreaker circuit = circuit(connectorId);
    if (ok) {
      circuit.succeeded();
    } else {
      circuit.failed(System.nanoTime());
    }
  }

  /** A delivery let through the circuit made no call (consent denied, lookup failed). */
  public void notCalled(UUID connectorId) {
    circuit(connectorId).released();
  }

  /** The state of {@code connectorId}'s circuit, as the API shows it. */
  public String circuitState(UUID connectorId) {
    CircuitBreaker circuit = circuits.get(connectorId);
    return (circuit == null ? CircuitBreaker.State.CLOSED : circuit.state()).wireName();
  }

  private CircuitBreaker circuit(UUID connectorId) {
    return circuits.computeIfAbsent(connectorId, this::newCircuit);
  }

  private CircuitBreaker newCircuit(UUID connectorId) {
    CircuitBreaker circuit =
        new CircuitBreaker(
            config.circuitFailures(), config.circuitCoolDown().toNanos(), PROBE_WAIT.toNanos());
    String id = connectorId.toString();
    Gauge.builder(
            "cdp.connector.circuit.open",
            circuit,
            c -> c.state() == CircuitBreaker.State.CLOSED ? 0 : 1)
        .tag("connector", id)
        .register(metrics);
    FunctionCounter.builder("cdp.connector.circuit.opened", circuit, CircuitBreaker::opened)
        .tag("connector", id)
        .register(metrics);
    return circuit;
  }

  /** Asks {@code permit} (0: go, else nanoseconds to wait) until it lets the caller go. */
  private Uni<Void> awaitPermit(java.util.function.LongSupplier permit, Executor here) {
    return Uni.createFrom()
        .deferred(
            () -> {
              long waitNanos = permit.getAsLong();
              if (waitNanos <= 0) {
                return Uni.createFrom().voidItem();
              }
              long millis = Math.max(1, (waitNanos + 999_999) / 1_000_000);
              return Uni.createFrom()
                  .<Void>emitter(e -> vertx.setTimer(millis, id -> e.complete(null)))
                  .emitOn(here)
                  .flatMap(ignored -> awaitPermit(permit, here));
            });
  }
}
