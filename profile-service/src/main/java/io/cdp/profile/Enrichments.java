package io.cdp.profile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cdp.common.rules.GuardedProgram;
import io.cdp.profile.AttributeDefinition.Rule;
import io.cdp.profile.AttributeDefinition.Scope;
import io.cdp.profile.AttributeDefinition.Timing;
import io.cdp.profile.AttributeDefinition.Type;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The compiled attribute definitions and how their rules change a profile. Immutable; built by
 * {@link EnrichmentRules}.
 *
 * <p>Order: attributes that are not badges, by name, then badges, by name; within an attribute, its
 * rules in list order. Each rule sees the profile as the rules before it left it, so a badge can
 * test a counter this very event incremented, and a string can pick the top key of a tally whose
 * name sorts before it.
 *
 * <p>A rule whose expression fails at run time (typically it reads a field the event does not have)
 * or returns a value its operation cannot use is skipped: a missing field is not an error.
 */
public final class Enrichments {

  /** No attributes defined. */
  public static final Enrichments NONE = new Enrichments(List.of());

  /** A definition with its compiled rules. */
  public record CompiledAttribute(AttributeDefinition definition, List<CompiledRule> rules) {}

  /** A rule with its programs; null programs mean always (when) or the op's default (value). */
  public record CompiledRule(
      Rule rule, GuardedProgram when, GuardedProgram value, GuardedProgram key) {}

  /** The parts of a profile rules change, mutated in place during one update. */
  public record Target(ObjectNode attributes, TreeSet<String> badges, ProfileVariables variables) {}

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private final List<CompiledAttribute> ordered;
  private final Map<String, AttributeDefinition> byName;

  public Enrichments(Collection<CompiledAttribute> attributes) {
    this.ordered =
        attributes.stream()
            .sorted(
                Comparator.comparing((CompiledAttribute a) -> a.definition().type() == Type.BADGE)
                    .thenComparing(a -> a.definition().name()))
            .toList();
    this.byName =
        ordered.stream()
            .map(CompiledAttribute::definition)
            .collect(Collectors.toUnmodifiableMap(AttributeDefinition::name, Function.identity()));
  }

  /** True when no attribute is defined: there is nothing to evaluate. */
  public boolean isEmpty() {
    return ordered.isEmpty();
  }

  /** The definitions, in application order. */
  public List<AttributeDefinition> definitions() {
    return ordered.stream().map(CompiledAttribute::definition).toList();
  }

  public Optional<AttributeDefinition> definition(String name) {
    return Optional.ofNullable(byName.get(name));
  }

  /** These definitions with {@code attribute} added or replaced. */
  public Enrichments with(CompiledAttribute attribute) {
    List<CompiledAttribute> next = new ArrayList<>(without(attribute.definition().name()).ordered);
    next.add(attribute);
    return new Enrichments(next);
  }

  /** These definitions without the one named {@code name}. */
  public Enrichments without(String name) {
    return new Enrichments(
        ordered.stream().filter(a -> !a.definition().name().equals(name)).toList());
  }

  /**
   * Removes the values of visit-scoped attributes, as a new visit starts.
   *
   * @return the names of what was removed ({@code badges} for badges)
   */
  public Set<String> resetVisitScoped(Target target) {
    Set<String> changed = new LinkedHashSet<>();
    for (CompiledAttribute attribute : ordered) {
      AttributeDefinition definition = attribute.definition();
      if (definition.scope() != Scope.VISIT) {
        continue;
      }
      if (definition.type() == Type.BADGE) {
        if (target.badges().remove(definition.name())) {
          changed.add("badges");
        }
      } else if (target.attributes().remove(definition.name()) != null) {
        changed.add(definition.name());
      }
    }
    if (changed.contains("badges")) {
      target.variables().badgesChanged(target.badges());
    }
    changed.forEach(name -> target.variables().attributeChanged(name, target.attributes()));
    return changed;
  }

  /**
   * Applies, in order, every rule whose timing is among {@code timings}.
   *
   * @param event the event as CEL reads it (empty for {@code visit ended})
   * @param at the time of the event (or of the visit's end), what {@code now} means in a date rule
   * @return the names of what changed: attribute names, and {@code badges}
   */
  public Set<String> apply(
      Target target, Set<Timing> timings, Map<String, Object> event, Instant at) {
    Set<String> changed = new LinkedHashSet<>();
    for (CompiledAttribute attribute : ordered) {
      for (CompiledRule rule : attribute.rules()) {
        if (!timings.contains(rule.rule().timing())) {
          continue;
        }
        Map<String, Object> vars = Map.of("event", event, "profile", target.variables().asMap());
        if (applies(rule, vars) && apply(attribute.definition(), rule, vars, target, at)) {
          changed.add(
              attribute.definition().type() == Type.BADGE
                  ? "badges"
                  : attribute.definition().name());
        }
      }
    }
    return changed;
  }

  private static boolean applies(CompiledRule rule, Map<String, Object> vars) {
    return rule.when() == null || Boolean.TRUE.equals(rule.when().evalOrNull(vars));
  }

  /** Applies one rule; says whether the profile changed. */
  private static boolean apply(
      AttributeDefinition definition,
      CompiledRule rule,
      Map<String, Object> vars,
      Target target,
      Instant at) {
    String name = definition.name();
    if (definition.type() == Type.BADGE) {
      boolean changed =
          switch (rule.rule().op()) {
            case ASSIGN -> target.badges().add(name);
            default -> target.badges().remove(name);
          };
      if (changed) {
        target.variables().badgesChanged(target.badges());
      }
      return changed;
    }
    JsonNode current = target.attributes().get(name);
    JsonNode next = next(definition, rule, vars, current, at);
    if (next == null || next.equals(current)) {
      return false;
    }
    target.attributes().set(name, next);
    target.variables().attributeChanged(name, target.attributes());
    return true;
  }

  /** The attribute's next value, or null to leave it as it is. */
  private static JsonNode next(
      AttributeDefinition definition,
      CompiledRule rule,
      Map<String, Object> vars,
      JsonNode current,
      Instant at) {
    Object value = rule.value() == null ? null : rule.value().evalOrNull(vars);
    if (rule.value() != null && value == null) {
      return null; // the expression failed: skip the rule
    }
    return switch (definition.type()) {
      case NUMBER -> number(rule, value, current);
      case STRING -> {
        String text = CelValues.text(value);
        boolean empty = current == null || current.isNull() || current.asText().isEmpty();
        yield text == null || (rule.rule().op() == AttributeDefinition.Op.SET_IF_EMPTY && !empty)
            ? null
            : NODES.textNode(text);
      }
      case BOOLEAN -> value instanceof Boolean bool ? NODES.booleanNode(bool) : null;
      case DATE -> {
        Instant instant = rule.value() == null ? at : CelValues.instant(value);
        yield instant == null ? null : NODES.textNode(instant.toString());
      }
      case SET -> set(rule, value, current);
      case TALLY -> tally(rule, vars, value, current);
      case TIMELINE -> timeline(definition, value, current, at);
      case BADGE -> null;
    };
  }

  private static JsonNode number(CompiledRule rule, Object value, JsonNode current) {
    Double amount = rule.value() == null ? Double.valueOf(1) : CelValues.asNumber(value);
    if (amount == null) {
      return null;
    }
    double base = current != null && current.isNumber() ? current.asDouble() : 0;
    return switch (rule.rule().op()) {
      case INCREMENT -> CelValues.numberNode(base + amount);
      case DECREMENT -> CelValues.numberNode(base - amount);
      default -> CelValues.numberNode(amount);
    };
  }

  /** Sets are kept as sorted arrays of distinct strings. */
  private static JsonNode set(CompiledRule rule, Object value, JsonNode current) {
    List<String> elements = new ArrayList<>();
    if (value instanceof Collection<?> collection) {
      collection.forEach(element -> elements.add(CelValues.text(element)));
    } else {
      elements.add(CelValues.text(value));
    }
    if (elements.contains(null)) {
      return null;
    }
    TreeSet<String> set = new TreeSet<>();
    if (current != null && current.isArray()) {
      current.forEach(element -> set.add(element.asText()));
    }
    if (rule.rule().op() == AttributeDefinition.Op.ADD) {
      set.addAll(elements);
    } else {
      elements.forEach(set::remove);
    }
    ArrayNode array = NODES.arrayNode();
    set.forEach(array::add);
    return array;
  }

  /** Tallies are objects from key to count. */
  private static JsonNode tally(
      CompiledRule rule, Map<String, Object> vars, Object value, JsonNode current) {
    String key = CelValues.text(rule.key().evalOrNull(vars));
    Double amount = rule.value() == null ? Double.valueOf(1) : CelValues.asNumber(value);
    if (key == null || amount == null) {
      return null;
    }
    ObjectNode tally =
        current != null && current.isObject() ? current.deepCopy() : NODES.objectNode();
    tally.set(key, CelValues.numberNode(tally.path(key).asDouble(0) + amount));
    return tally;
  }

  /**
   * Timelines are arrays of {@code {"time", "values"}} in time order, bounded to the definition's
   * entries: the oldest are dropped.
   */
  private static JsonNode timeline(
      AttributeDefinition definition, Object value, JsonNode current, Instant at) {
    ObjectNode entry = NODES.objectNode();
    entry.put("time", at.toString());
    entry.set("values", value == null ? NODES.objectNode() : CelValues.toJson(value));
    List<JsonNode> entries = new ArrayList<>();
    if (current != null && current.isArray()) {
      current.forEach(entries::add);
    }
    // A stored timeline is in time order: the entry goes after every entry not later than it,
    // looked for from the end, where a new event's entry usually goes (one time parsed, not all).
    int position = entries.size();
    while (position > 0 && time(entries.get(position - 1)).isAfter(at)) {
      position--;
    }
    entries.add(position, entry);
    return latest(entries, definition.maxEntries());
  }

  /** Entries sorted by time (stable for equal times), keeping the latest {@code max}. */
  static ArrayNode boundedTimeline(List<JsonNode> entries, int max) {
    record Timed(Instant time, JsonNode entry) {}
    return latest(
        entries.stream()
            .map(e -> new Timed(time(e), e))
            .sorted(Comparator.comparing(Timed::time))
            .map(Timed::entry)
            .toList(),
        max);
  }

  private static Instant time(JsonNode entry) {
    return Instant.parse(entry.path("time").asText());
  }

  /** The last {@code max} of entries in time order. */
  private static ArrayNode latest(List<JsonNode> sorted, int max) {
    ArrayNode array = NODES.arrayNode();
    sorted.subList(Math.max(0, sorted.size() - max), sorted.size()).forEach(array::add);
    return array;
  }
}
