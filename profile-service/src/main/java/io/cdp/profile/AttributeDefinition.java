package io.cdp.profile;

import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * An attribute a profile can carry and the rules that enrich it from events (API.md, {@code
 * /v1/attributes}). Names, types, scopes, timings and operations are written in the API exactly as
 * {@link #wire(Enum)} spells them: lower case with spaces, e.g. {@code new visit}, {@code
 * set_if_empty}.
 *
 * @param name the key under {@code attributes} (badges are listed under {@code badges} instead)
 * @param type what values it holds
 * @param scope {@code visit} attributes are reset when a new visit starts
 * @param enrichments its rules, applied in list order
 * @param maxEntries the bound of a timeline (oldest entries are dropped); 0 for other types
 */
public record AttributeDefinition(
    String name, Type type, Scope scope, List<Rule> enrichments, int maxEntries) {

  /** The entries a timeline keeps when the definition does not say. */
  public static final int DEFAULT_TIMELINE_ENTRIES = 100;

  /** Value types, each with the operations it supports. */
  public enum Type {
    NUMBER(EnumSet.of(Op.INCREMENT, Op.DECREMENT, Op.SET)),
    STRING(EnumSet.of(Op.SET, Op.SET_IF_EMPTY)),
    BOOLEAN(EnumSet.of(Op.SET)),
    DATE(EnumSet.of(Op.SET)),
    BADGE(EnumSet.of(Op.ASSIGN, Op.REMOVE)),
    SET(EnumSet.of(Op.ADD, Op.REMOVE)),
    TALLY(EnumSet.of(Op.INCREMENT)),
    TIMELINE(EnumSet.of(Op.APPEND));

    private final Set<Op> ops;

    Type(Set<Op> ops) {
      this.ops = ops;
    }

    /** The operations rules of this type may use. */
    public Set<Op> ops() {
      return ops;
    }
  }

  /** How long a value lives. */
  public enum Scope {
    VISITOR,
    VISIT
  }

  /** When a rule is considered. */
  public enum Timing {
    /** Every applied event (the default). */
    ANY_EVENT,
    /** The event that created the profile. */
    NEW_VISITOR,
    /** An event that started a visit (also the first event of a profile). */
    NEW_VISIT,
    /** A visit timed out; fired by the visit scan, with an empty {@code event}. */
    VISIT_ENDED
  }

  /** What a rule does to the attribute's value. */
  public enum Op {
    INCREMENT,
    DECREMENT,
    SET,
    SET_IF_EMPTY,
    ASSIGN,
    REMOVE,
    ADD,
    APPEND
  }

  /**
   * One enrichment rule: when {@code when} holds at {@code timing}, apply {@code op} with the value
   * of {@code value} (and {@code key} for a tally). Expressions are CEL over {@code event} and
   * {@code profile}; null {@code when} means always, null {@code value} the op's default.
   */
  public record Rule(Timing timing, String when, Op op, String value, String key) {}

  /** The API spelling of an enum constant: {@code NEW_VISIT} is {@code new visit}. */
  public static String wire(Enum<?> constant) {
    String lower = constant.name().toLowerCase(Locale.ROOT);
    // Timings read as words ("new visit"); operations keep underscores ("set_if_empty").
    return constant instanceof Timing ? lower.replace('_', ' ') : lower;
  }

  /** The constant spelled {@code text} in the API, if any. */
  public static <E extends Enum<E>> Optional<E> parse(Class<E> type, String text) {
    if (text == null) {
      return Optional.empty();
    }
    for (E constant : type.getEnumConstants()) {
      if (wire(constant).equals(text.trim().toLowerCase(Locale.ROOT))) {
        return Optional.of(constant);
      }
    }
    return Optional.empty();
  }
}
