package io.cdp.connector.store;

import io.cdp.connector.config.DeliveryConfig;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.vertx.core.runtime.context.VertxContextSafetyToggle;
import io.smallrye.common.vertx.VertxContext;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * Every connector definition, in memory, so the consumers find the connectors a transition or an
 * event triggers without a query per record. Read whole from PostgreSQL (connectors are few): at
 * the first use, after every change made through this instance (before the change is answered), and
 * every {@code cdp.connector.delivery.catalog-refresh} for changes made through other instances.
 *
 * <p>The entities are detached copies: read them, never change or persist them.
 */
@ApplicationScoped
public class ConnectorCatalog {

  private static final Logger LOG = Logger.getLogger(ConnectorCatalog.class);

  /** The connectors at one moment, indexed as the consumers look them up. */
  public record Snapshot(
      Map<UUID, Connector> byId,
      Map<String, List<Connector>> byAudience,
      List<Connector> withEventTrigger) {

    static Snapshot of(List<Connector> all) {
      return new Snapshot(
          all.stream().collect(Collectors.toMap(c -> c.id, Function.identity())),
          all.stream()
              .filter(c -> c.triggerAudience != null)
              .collect(Collectors.groupingBy(c -> c.triggerAudience)),
          all.stream().filter(c -> c.triggerEvent != null).toList());
    }

    /** The connectors with an audience trigger on {@code audienceId}. */
    public List<Connector> ofAudience(String audienceId) {
      return byAudience.getOrDefault(audienceId, List.of());
    }
  }

  private final Vertx vertx;
  private final DeliveryConfig config;

  /** Reloads are numbered when they start; one that started earlier never replaces a later one. */
  private final AtomicLong started = new AtomicLong();

  private long applied;
  private volatile Snapshot current;
  private long refreshTimer = -1;

  public ConnectorCatalog(Vertx vertx, DeliveryConfig config) {
    this.vertx = vertx;
    this.config = config;
  }

  /**
   * The connector {@code id} as last read, if this instance has read it (a connector created
   * through another instance may not be here yet: then read it from PostgreSQL).
   */
  public Connector known(UUID id) {
    Snapshot known = current;
    return known == null ? null : known.byId().get(id);
  }

  /** The connectors as last read; read first if nothing was read yet. Needs a Vert.x context. */
  public Uni<Snapshot> current() {
    Snapshot known = current;
    return known != null ? Uni.createFrom().item(known) : reload();
  }

  /**
   * Reads the connectors again; call after a change commits, so that this instance's consumers see
   * it from the answer on. Needs a safe Vert.x context (Hibernate Reactive).
   */
  public Uni<Snapshot> reload() {
    long ticket = started.incrementAndGet();
    return Panache.withSession(() -> Connector.<Connector>listAll())
        .map(all -> apply(ticket, Snapshot.of(all)));
  }

  private synchronized Snapshot apply(long ticket, Snapshot read) {
    if (ticket > applied) {
      applied = ticket;
      current = read;
    }
    return current;
  }

  void start(@Observes StartupEvent ignored) {
    long every = config.catalogRefresh().toMillis();
    refreshTimer = vertx.setPeriodic(every, every, id -> refresh());
  }

  void stop(@Observes ShutdownEvent ignored) {
    vertx.cancelTimer(refreshTimer);
  }

  private void refresh() {
    Context context = VertxContext.createNewDuplicatedContext(vertx.getOrCreateContext());
    VertxContextSafetyToggle.setContextSafe(context, true);
    context.runOnContext(
        ignored ->
            reload()
                .subscribe()
                .with(
                    snapshot -> {},
                    e -> LOG.warn("Reading the connectors failed; the last read stays", e)));
  }
}
