package io.cdp.profile;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelOptions;
import dev.cel.common.CelValidationException;
import dev.cel.common.types.CelKind;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import io.cdp.common.rules.GuardedProgram;
import io.cdp.profile.AttributeDefinition.Op;
import io.cdp.profile.AttributeDefinition.Rule;
import io.cdp.profile.AttributeDefinition.Type;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Compiles attribute definitions into {@link Enrichments}: every {@code when}, {@code value} and
 * {@code key} is a CEL expression over {@code event} and {@code profile} (both maps of JSON values,
 * see {@link ProfileVariables}), type-checked against what its operation needs. Pure and
 * thread-safe; programs are kept by expression text, so reloading unchanged definitions compiles
 * nothing.
 */
public final class EnrichmentRules {

  /** Why a definition cannot be used, and which field of the request says so. */
  public static final class InvalidDefinitionException extends RuntimeException {
    private final String code;
    private final String field;

    public InvalidDefinitionException(String code, String field, String message) {
      super(message);
      this.code = code;
      this.field = field;
    }

    /** API.md's error code: {@code invalid_rule} or {@code invalid_definition}. */
    public String code() {
      return code;
    }

    /** The request field, e.g. {@code enrichments[0].when}. */
    public String field() {
      return field;
    }
  }

  static final String INVALID_RULE = "invalid_rule";

  /** The {@code value} text of a date rule that means "the time of the event". */
  public static final String NOW = "now";

  // Event and profile values come from JSON, where 2 and 2.0 are the same number.
  private static final CelOptions OPTIONS =
      CelOptions.current()
          .enableHeterogeneousNumericComparisons(true)
          .evaluateCanonicalTypesToNativeValues(true)
          .build();

  private static final Set<CelKind> ANY = EnumSet.allOf(CelKind.class);
  private static final Set<CelKind> NUMBERS =
      EnumSet.of(CelKind.INT, CelKind.UINT, CelKind.DOUBLE, CelKind.DYN);
  private static final Set<CelKind> SCALARS =
      EnumSet.of(
          CelKind.STRING, CelKind.INT, CelKind.UINT, CelKind.DOUBLE, CelKind.BOOL, CelKind.DYN);

  private final CelCompiler compiler =
      CelCompilerFactory.standardCelCompilerBuilder()
          .setOptions(OPTIONS)
          .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
          .addVar("event", MapType.create(SimpleType.STRING, SimpleType.DYN))
          .addVar("profile", MapType.create(SimpleType.STRING, SimpleType.DYN))
          .build();
  private final CelRuntime runtime =
      CelRuntimeFactory.standardCelRuntimeBuilder().setOptions(OPTIONS).build();
  private final Map<String, GuardedProgram> programs = new ConcurrentHashMap<>();

  /**
   * Compiles one definition.
   *
   * @throws InvalidDefinitionException naming the first rule field that cannot be used
   */
  public Enrichments.CompiledAttribute compile(AttributeDefinition definition) {
    List<Enrichments.CompiledRule> rules = new ArrayList<>();
    for (int i = 0; i < definition.enrichments().size(); i++) {
      rules.add(
          compile(definition.type(), definition.enrichments().get(i), "enrichments[" + i + "]"));
    }
    return new Enrichments.CompiledAttribute(definition, List.copyOf(rules));
  }

  /** Compiles every definition; they were validated when saved. */
  public Enrichments compileAll(List<AttributeDefinition> definitions) {
    return new Enrichments(definitions.stream().map(this::compile).toList());
  }

  private Enrichments.CompiledRule compile(Type type, Rule rule, String field) {
    Op op = rule.op();
    if (op == null || !type.ops().contains(op)) {
      throw new InvalidDefinitionException(
          INVALID_RULE,
          field + ".op",
          "A "
              + AttributeDefinition.wire(type)
              + " takes the operations "
              + type.ops().stream().map(AttributeDefinition::wire).toList());
    }
    GuardedProgram when =
        rule.when() == null
            ? null
            : program(rule.when(), EnumSet.of(CelKind.BOOL), field + ".when");
    boolean hasKey = rule.key() != null;
    if (hasKey != (type == Type.TALLY)) {
      throw new InvalidDefinitionException(
          INVALID_RULE,
          field + ".key",
          type == Type.TALLY
              ? "A tally rule needs a key: the expression naming what to count"
              : "Only tally rules take a key");
    }
    GuardedProgram key = hasKey ? program(rule.key(), SCALARS, field + ".key") : null;
    return new Enrichments.CompiledRule(rule, when, value(type, rule, field + ".value"), key);
  }

  /** The value program, checked against what the operation needs; null for the op's default. */
  private GuardedProgram value(Type type, Rule rule, String field) {
    String value = rule.value();
    boolean optional =
        type == Type.BADGE
            || type == Type.TALLY
            || type == Type.TIMELINE
            || rule.op() == Op.INCREMENT
            || rule.op() == Op.DECREMENT;
    if (type == Type.BADGE && value != null) {
      throw new InvalidDefinitionException(INVALID_RULE, field, "A badge rule takes no value");
    }
    if (value == null) {
      if (!optional) {
        throw new InvalidDefinitionException(
            INVALID_RULE,
            field,
            "A " + AttributeDefinition.wire(rule.op()) + " rule needs a value");
      }
      return null;
    }
    if (type == Type.DATE && NOW.equals(value.trim())) {
      return null;
    }
    Set<CelKind> expected =
        switch (type) {
          case NUMBER, TALLY -> NUMBERS;
          case STRING -> SCALARS;
          case BOOLEAN -> EnumSet.of(CelKind.BOOL, CelKind.DYN);
          case DATE -> EnumSet.of(CelKind.TIMESTAMP, CelKind.STRING, CelKind.DYN);
          case SET -> EnumSet.of(CelKind.STRING, CelKind.LIST, CelKind.DYN);
          case TIMELINE, BADGE -> ANY;
        };
    return program(value, expected, field);
  }

  private GuardedProgram program(String expression, Set<CelKind> expected, String field) {
    GuardedProgram cached = programs.get(expression + '\0' + expected);
    if (cached != null) {
      return cached;
    }
    CelAbstractSyntaxTree ast;
    try {
      ast = compiler.compile(expression).getAst();
    } catch (CelValidationException e) {
      throw new InvalidDefinitionException(INVALID_RULE, field, e.getMessage().strip());
    }
    CelKind kind = ast.getResultType().kind();
    if (!expected.contains(kind)) {
      throw new InvalidDefinitionException(
          INVALID_RULE,
          field,
          "The expression returns "
              + ast.getResultType().name()
              + " but this field needs one of "
              + expected.stream().map(k -> k.name().toLowerCase()).toList());
    }
    try {
      GuardedProgram program = GuardedProgram.of(runtime.createProgram(ast), ast);
      programs.put(expression + '\0' + expected, program);
      return program;
    } catch (CelEvaluationException e) {
      throw new InvalidDefinitionException(INVALID_RULE, field, e.getMessage());
    }
  }
}
