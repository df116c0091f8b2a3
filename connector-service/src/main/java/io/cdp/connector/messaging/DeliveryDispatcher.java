package io.cdp.connector.messaging;

import io.cdp.connector.DeliveryLanes;
import io.cdp.connector.config.DeliveryConfig;
import io.cdp.connector.store.Delivery;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.vertx.core.runtime.context.VertxContextSafetyToggle;
import io.smallrye.common.vertx.VertxContext;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.impl.VertxInternal;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import org.jboss.logging.Logger;

/**
 * Hands pending deliveries to their connector's lane ({@link DeliveryLanes}) and, periodically,
 * sweeps the outbox for pending deliveries nobody works on: those a crash interrupted and those a
 * full lane refused. Each delivery runs on its own Vert.x context, off the Kafka consumer's.
 */
@ApplicationScoped
public class DeliveryDispatcher {

  private static final Logger LOG = Logger.getLogger(DeliveryDispatcher.class);
  private static final int SWEEP_BATCH = 1000;

  private final Vertx vertx;
  private final DeliveryConfig config;
  private final DeliveryLanes lanes;

  /** The trace each queued delivery was submitted in, until it runs. */
  private final Map<String, io.opentelemetry.context.Context> traces = new ConcurrentHashMap<>();

  /**
   * Contexts spread over the event loops; deliveries take them in turn. A context made from the
   * caller's would put every delivery on the event loop of the Kafka consumer that submitted it.
   */
  private final List<Context> eventLoops;

  private final AtomicInteger nextLoop = new AtomicInteger();

  private long sweepTimer = -1;

  public DeliveryDispatcher(Vertx vertx, DeliveryWorker worker, DeliveryConfig config) {
    this.vertx = vertx;
    this.config = config;
    // Each new event-loop context is bound to the next event loop, round robin.
    this.eventLoops =
        IntStream.range(0, 2 * Runtime.getRuntime().availableProcessors())
            .mapToObj(i -> (Context) ((VertxInternal) vertx).createEventLoopContext())
            .toList();
    this.lanes =
        new DeliveryLanes(
            config.concurrency(),
            config.queueCapacity(),
            id -> onNewContext(traces.remove(id), () -> worker.process(id)));
  }

  /** Starts (or queues) a pending delivery on its connector's lane, in the current trace. */
  public void submit(UUID connectorId, String deliveryId) {
    submit(connectorId, deliveryId, io.opentelemetry.context.Context.current());
  }

  /** As {@link #submit(UUID, String)}, continuing {@code trace}. */
  public void submit(UUID connectorId, String deliveryId, io.opentelemetry.context.Context trace) {
    traces.put(deliveryId, trace);
    if (!lanes.offer(connectorId.toString(), deliveryId)) {
      traces.remove(deliveryId);
      LOG.debugf("Lane of connector %s is full; %s waits for the sweep", connectorId, deliveryId);
    }
  }

  void start(@Observes StartupEvent ignored) {
    long every = config.sweepEvery().toMillis();
    sweepTimer = vertx.setPeriodic(every, every, id -> onNewContext(null, this::sweep));
  }

  void stop(@Observes ShutdownEvent ignored) {
    vertx.cancelTimer(sweepTimer);
  }

  private Uni<Void> sweep() {
    Instant cutoff = Instant.now().minus(config.staleAfter());
    return Panache.withSession(
            () ->
                Delivery.<Delivery>find(
                        "status = ?1 and updatedAt < ?2 order by updatedAt",
                        Delivery.PENDING,
                        cutoff)
                    .page(0, SWEEP_BATCH)
                    .list())
        .invoke((List<Delivery> rows) -> rows.forEach(d -> submit(d.connectorId, d.deliveryId)))
        .replaceWithVoid();
  }

  /**
   * Runs {@code task} on a new safe duplicated context (Hibernate Reactive requires one), in the
   * trace of what submitted it ({@code trace}, null for the sweep). The trace is made current on
   * that context and left so: the context is this task's alone and is dropped after it.
   */
  private CompletionStage<Void> onNewContext(
      io.opentelemetry.context.Context trace, Supplier<Uni<Void>> task) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    Context loop = eventLoops.get(Math.floorMod(nextLoop.getAndIncrement(), eventLoops.size()));
    Context context = VertxContext.createNewDuplicatedContext(loop);
    VertxContextSafetyToggle.setContextSafe(context, true);
    context.runOnContext(
        ignored -> {
          if (trace != null) {
            trace.makeCurrent();
          }
          Uni.createFrom()
              .deferred(task::get)
              .subscribe()
              .with(
                  ok -> done.complete(null),
                  e -> {
                    LOG.error("Delivery dispatch failed", e);
                    done.complete(null);
                  });
        });
    return done;
  }
}
