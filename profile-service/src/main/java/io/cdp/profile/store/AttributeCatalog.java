package io.cdp.profile.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdp.profile.AttributeDefinition;
import io.cdp.profile.AttributeSpec;
import io.cdp.profile.EnrichmentRules;
import io.cdp.profile.Enrichments;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * The compiled attribute definitions every event is enriched with, kept in memory so the event path
 * never reads PostgreSQL.
 *
 * <p>Freshness: a change through this replica's API takes effect here as soon as it is committed.
 * Other replicas pick it up at their next reload, every {@code cdp.attributes.reload-interval}
 * (default 10 s): a simple periodic reload of the whole table, cheap because programs are cached by
 * expression text. Until then they apply the previous rules.
 */
@ApplicationScoped
public class AttributeCatalog {

  private static final Logger LOG = Logger.getLogger(AttributeCatalog.class);
  private static final TypeReference<List<AttributeSpec.RuleSpec>> RULES = new TypeReference<>() {};

  private final EnrichmentRules rules;
  private final ObjectMapper json;
  private Enrichments current; // null until the first load; guarded by this
  private long localChanges; // guarded by this

  public AttributeCatalog(EnrichmentRules rules, ObjectMapper json) {
    this.rules = rules;
    this.json = json;
  }

  /** The definitions, loaded from PostgreSQL on first use (needs a Vert.x context then). */
  public Uni<Enrichments> current() {
    synchronized (this) {
      if (current != null) {
        return Uni.createFrom().item(current);
      }
    }
    return reload();
  }

  /** Picks up changes made through other replicas. */
  @Scheduled(
      every = "${cdp.attributes.reload-interval}",
      delayed = "${cdp.attributes.reload-interval}",
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  Uni<Void> refresh() {
    return reload().replaceWithVoid();
  }

  /**
   * Reloads every definition. A reload that overlapped a change made through this replica is not
   * kept (the change is already in memory, the reload may have missed it).
   */
  public Uni<Enrichments> reload() {
    long seen;
    synchronized (this) {
      seen = localChanges;
    }
    return Panache.withSession(() -> StoredAttribute.<StoredAttribute>listAll())
        .chain(
            stored -> {
              List<Enrichments.CompiledAttribute> compiled = new ArrayList<>();
              for (StoredAttribute attribute : stored) {
                try {
                  compiled.add(rules.compile(definition(attribute)));
                } catch (RuntimeException e) {
                  // Validated when saved; one bad row must not stop every other rule.
                  LOG.errorf("Attribute %s cannot be used: %s", attribute.name, e.getMessage());
                }
              }
              Enrichments loaded = new Enrichments(compiled);
              synchronized (this) {
                if (localChanges == seen) {
                  current = loaded;
                  return Uni.createFrom().item(loaded);
                }
                if (current != null) {
                  return Uni.createFrom().item(current);
                }
              }
              // A definition changed here while loading the first time: load again.
              return reload();
            });
  }

  /** A definition was created or replaced through this replica (after commit). */
  public synchronized void changed(Enrichments.CompiledAttribute attribute) {
    localChanges++;
    if (current != null) {
      current = current.with(attribute);
    }
  }

  /** A definition was deleted through this replica (after commit). */
  public synchronized void removed(String name) {
    localChanges++;
    if (current != null) {
      current = current.without(name);
    }
  }

  /** The definition a stored row describes. */
  public AttributeDefinition definition(StoredAttribute stored) {
    try {
      return new AttributeSpec(
              stored.name,
              stored.type,
              stored.scope,
              stored.maxEntries == 0 ? null : stored.maxEntries,
              json.readValue(stored.enrichments, RULES))
          .toDefinition();
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Stored rules of " + stored.name + " do not parse", e);
    }
  }

  /** Writes {@code definition} into {@code stored} (not its timestamps). */
  public void write(AttributeDefinition definition, StoredAttribute stored) {
    AttributeSpec spec = AttributeSpec.of(definition);
    stored.name = spec.name();
    stored.type = spec.type();
    stored.scope = spec.scope();
    stored.maxEntries = definition.maxEntries();
    try {
      stored.enrichments = json.writeValueAsString(spec.enrichments());
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
