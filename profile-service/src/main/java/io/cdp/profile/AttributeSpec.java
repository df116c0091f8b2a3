package io.cdp.profile;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.cdp.profile.AttributeDefinition.Op;
import io.cdp.profile.AttributeDefinition.Rule;
import io.cdp.profile.AttributeDefinition.Scope;
import io.cdp.profile.AttributeDefinition.Timing;
import io.cdp.profile.AttributeDefinition.Type;
import io.cdp.profile.EnrichmentRules.InvalidDefinitionException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * An attribute definition as the API writes it (API.md): {@code {"name", "type", "scope",
 * "maxEntries", "enrichments": [{"timing", "when", "op", "value", "key"}]}}, every enum in its API
 * spelling. Also how PostgreSQL keeps the rules, so what is read back is what was accepted.
 *
 * @param maxEntries a timeline's bound; defaults to {@value
 *     AttributeDefinition#DEFAULT_TIMELINE_ENTRIES}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AttributeSpec(
    String name, String type, String scope, Integer maxEntries, List<RuleSpec> enrichments) {

  /** One rule; {@code timing} defaults to {@code any event}. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record RuleSpec(String timing, String when, String op, String value, String key) {}

  /** Built-in attributes every profile has; a definition cannot take their names. */
  public static final Set<String> RESERVED =
      Set.of(
          ProfileUpdater.EVENT_COUNT, ProfileUpdater.FIRST_SEEN_AT, ProfileUpdater.LAST_EVENT_AT);

  // A name is read in CEL as profile.attributes.<name>: it must be an identifier.
  private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,99}");
  private static final String INVALID = "invalid_definition";

  /**
   * The definition this spec describes, with defaults filled in.
   *
   * @throws InvalidDefinitionException naming the field that is missing or unknown
   */
  public AttributeDefinition toDefinition() {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new InvalidDefinitionException(
          INVALID, "name", "A name is a letter or _ then up to 99 letters, digits or _");
    }
    if (RESERVED.contains(name)) {
      throw new InvalidDefinitionException(
          INVALID, "name", name + " is a built-in attribute; choose another name");
    }
    Type parsedType =
        AttributeDefinition.parse(Type.class, type).orElseThrow(() -> unknown("type", Type.class));
    Scope parsedScope =
        scope == null
            ? Scope.VISITOR
            : AttributeDefinition.parse(Scope.class, scope)
                .orElseThrow(() -> unknown("scope", Scope.class));
    int entries = 0;
    if (parsedType == Type.TIMELINE) {
      entries = maxEntries == null ? AttributeDefinition.DEFAULT_TIMELINE_ENTRIES : maxEntries;
      if (entries < 1 || entries > 10_000) {
        throw new InvalidDefinitionException(
            INVALID, "maxEntries", "A timeline keeps between 1 and 10000 entries");
      }
    } else if (maxEntries != null) {
      throw new InvalidDefinitionException(
          INVALID, "maxEntries", "Only a timeline takes maxEntries");
    }
    List<Rule> rules = new ArrayList<>();
    List<RuleSpec> specs = enrichments == null ? List.of() : enrichments;
    for (int i = 0; i < specs.size(); i++) {
      RuleSpec spec = specs.get(i);
      String field = "enrichments[" + i + "]";
      if (spec == null) {
        throw new InvalidDefinitionException(INVALID, field, "A rule is an object");
      }
      Timing timing =
          spec.timing() == null
              ? Timing.ANY_EVENT
              : AttributeDefinition.parse(Timing.class, spec.timing())
                  .orElseThrow(() -> unknown(field + ".timing", Timing.class));
      Op op =
          AttributeDefinition.parse(Op.class, spec.op())
              .orElseThrow(() -> unknown(field + ".op", Op.class));
      rules.add(
          new Rule(
              timing,
              blankToNull(spec.when()),
              op,
              blankToNull(spec.value()),
              blankToNull(spec.key())));
    }
    return new AttributeDefinition(name, parsedType, parsedScope, List.copyOf(rules), entries);
  }

  /** The spec of a definition, with every default written out. */
  public static AttributeSpec of(AttributeDefinition definition) {
    return new AttributeSpec(
        definition.name(),
        AttributeDefinition.wire(definition.type()),
        AttributeDefinition.wire(definition.scope()),
        definition.type() == Type.TIMELINE ? definition.maxEntries() : null,
        definition.enrichments().stream()
            .map(
                r ->
                    new RuleSpec(
                        AttributeDefinition.wire(r.timing()),
                        r.when(),
                        AttributeDefinition.wire(r.op()),
                        r.value(),
                        r.key()))
            .toList());
  }

  private static <E extends Enum<E>> InvalidDefinitionException unknown(
      String field, Class<E> type) {
    List<String> known =
        java.util.Arrays.stream(type.getEnumConstants()).map(AttributeDefinition::wire).toList();
    return new InvalidDefinitionException(INVALID, field, "Expected one of " + known);
  }

  private static String blankToNull(String text) {
    return text == null || text.isBlank() ? null : text;
  }
}
