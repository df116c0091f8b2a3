package io.cdp.connector;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelOptions;
import dev.cel.common.CelValidationException;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import jakarta.inject.Singleton;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The CEL a connector carries: mapping expressions over {@code profile}, {@code event} and {@code
 * audience} (each a map, see {@link CelValues}), and event-trigger conditions over {@code event}
 * that must return a bool. Pure: no I/O, so it has plain unit tests.
 *
 * <p>Programs are compiled once per expression text and kept, so a mapping is compiled at save and
 * then only evaluated per delivery.
 */
@Singleton
public class ConnectorRules {

  /** Why an expression cannot be used: the compiler's message, with the position. */
  public static final class InvalidExpressionException extends RuntimeException {
    InvalidExpressionException(String message) {
      super(message);
    }
  }

  // Values come from JSON, where 2 and 2.0 are the same number: compare across numeric types.
  private static final CelOptions OPTIONS =
      CelOptions.current().enableHeterogeneousNumericComparisons(true).build();

  private static final MapType JSON_OBJECT = MapType.create(SimpleType.STRING, SimpleType.DYN);

  private final CelCompiler mappingCompiler =
      CelCompilerFactory.standardCelCompilerBuilder()
          .setOptions(OPTIONS)
          .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
          .addVar("profile", JSON_OBJECT)
          .addVar("event", JSON_OBJECT)
          .addVar("audience", JSON_OBJECT)
          .build();
  private final CelCompiler conditionCompiler =
      CelCompilerFactory.standardCelCompilerBuilder()
          .setOptions(OPTIONS)
          .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
          .addVar("event", JSON_OBJECT)
          .build();
  private final CelRuntime runtime =
      CelRuntimeFactory.standardCelRuntimeBuilder().setOptions(OPTIONS).build();
  private final Map<String, CelRuntime.Program> mappings = new ConcurrentHashMap<>();
  private final Map<String, CelRuntime.Program> conditions = new ConcurrentHashMap<>();
  private final Map<String, Boolean> readsProfile = new ConcurrentHashMap<>();

  /**
   * Compiles one mapping expression; any result type is allowed.
   *
   * @throws InvalidExpressionException if it does not compile
   */
  public CelRuntime.Program compileMapping(String expression) {
    CelRuntime.Program cached = mappings.get(expression);
    if (cached != null) {
      return cached;
    }
    CelRuntime.Program program = program(ast(mappingCompiler, expression));
    mappings.put(expression, program);
    return program;
  }

  /**
   * Compiles an event-trigger condition, which must return a bool.
   *
   * @throws InvalidExpressionException if it does not compile or does not return a bool
   */
  public CelRuntime.Program compileCondition(String expression) {
    CelRuntime.Program cached = conditions.get(expression);
    if (cached != null) {
      return cached;
    }
    CelAbstractSyntaxTree ast = ast(conditionCompiler, expression);
    // A dyn result (e.g. a bare property) could be anything at run time: ask for a comparison.
    if (!ast.getResultType().equals(SimpleType.BOOL)) {
      throw new InvalidExpressionException(
          "The condition must return a bool but returns "
              + ast.getResultType().name()
              + "; compare explicitly, e.g. `... == true`");
    }
    CelRuntime.Program program = program(ast);
    conditions.put(expression, program);
    return program;
  }

  /**
   * Whether any expression of {@code mapping} reads the {@code profile} variable: only then is the
   * profile fetched for a delivery. Every expression must compile (mappings are checked at save).
   */
  public boolean readsProfile(Map<String, String> mapping) {
    return mapping.values().stream()
        .anyMatch(
            expression ->
                readsProfile.computeIfAbsent(
                    expression,
                    e ->
                        ast(mappingCompiler, e).getReferenceMap().values().stream()
                            .anyMatch(reference -> "profile".equals(reference.name()))));
  }

  /**
   * Evaluates every mapping expression and returns the JSON-ready fields. A field whose expression
   * fails at run time (typically it reads something the profile does not have) is left out: nothing
   * is sent that the mapping did not produce.
   */
  public Map<String, Object> map(
      Map<String, String> mapping,
      Map<String, Object> profile,
      Map<String, Object> event,
      Map<String, Object> audience) {
    Map<String, Object> vars = Map.of("profile", profile, "event", event, "audience", audience);
    Map<String, Object> data = new LinkedHashMap<>();
    mapping.forEach(
        (field, expression) -> {
          try {
            data.put(field, CelValues.toJson(compileMapping(expression).eval(vars)));
          } catch (CelEvaluationException e) {
            // Absent input, absent field.
          }
        });
    return data;
  }

  /** Whether {@code event} satisfies {@code condition}; a run-time error does not match. */
  public boolean matches(String condition, Map<String, Object> event) {
    try {
      return Boolean.TRUE.equals(compileCondition(condition).eval(Map.of("event", event)));
    } catch (CelEvaluationException e) {
      return false;
    }
  }

  private static CelAbstractSyntaxTree ast(CelCompiler compiler, String expression) {
    try {
      return compiler.compile(expression).getAst();
    } catch (CelValidationException e) {
      throw new InvalidExpressionException(e.getMessage().strip());
    }
  }

  private CelRuntime.Program program(CelAbstractSyntaxTree ast) {
    try {
      return runtime.createProgram(ast);
    } catch (CelEvaluationException e) {
      throw new InvalidExpressionException(e.getMessage());
    }
  }
}
