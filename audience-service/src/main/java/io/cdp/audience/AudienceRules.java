package io.cdp.audience;

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
import io.cdp.common.ProfileVariables;
import jakarta.inject.Singleton;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Audience rules: CEL expressions over {@code profile} (a map, see {@link ProfileVariables}) and
 * {@code now} (a timestamp) that must return a bool. Pure: no I/O, so it has plain unit tests.
 *
 * <p>Compiled programs are kept by rule text, so a rule is compiled once however many profiles it
 * is evaluated against.
 */
@Singleton
public class AudienceRules {

  /** Why a rule cannot be used: the compiler's message, with the position. */
  public static final class InvalidRuleException extends RuntimeException {
    InvalidRuleException(String message) {
      super(message);
    }
  }

  // Profile values come from JSON, where 2 and 2.0 are the same number: compare across types.
  private static final CelOptions OPTIONS =
      CelOptions.current().enableHeterogeneousNumericComparisons(true).build();

  private final CelCompiler compiler =
      CelCompilerFactory.standardCelCompilerBuilder()
          .setOptions(OPTIONS)
          .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
          .addVar("profile", MapType.create(SimpleType.STRING, SimpleType.DYN))
          .addVar("now", SimpleType.TIMESTAMP)
          .build();
  private final CelRuntime runtime =
      CelRuntimeFactory.standardCelRuntimeBuilder().setOptions(OPTIONS).build();
  private final Map<String, CelRuntime.Program> programs = new ConcurrentHashMap<>();

  /**
   * Compiles and type-checks {@code rule}.
   *
   * @throws InvalidRuleException if it does not compile or does not return a bool
   */
  public CelRuntime.Program compile(String rule) {
    CelRuntime.Program cached = programs.get(rule);
    if (cached != null) {
      return cached;
    }
    CelAbstractSyntaxTree ast;
    try {
      ast = compiler.compile(rule).getAst();
    } catch (CelValidationException e) {
      throw new InvalidRuleException(e.getMessage().strip());
    }
    // A dyn result (e.g. a bare attribute) could be anything at run time: ask for a comparison.
    if (!ast.getResultType().equals(SimpleType.BOOL)) {
      throw new InvalidRuleException(
          "The rule must return a bool but returns "
              + ast.getResultType().name()
              + "; compare explicitly, e.g. `... == true`");
    }
    try {
      CelRuntime.Program program = runtime.createProgram(ast);
      programs.put(rule, program);
      return program;
    } catch (CelEvaluationException e) {
      throw new InvalidRuleException(e.getMessage());
    }
  }

  /**
   * Whether a profile satisfies {@code rule}. A rule that fails at run time (typically it reads an
   * attribute the profile does not have) does not match: absence is not membership.
   */
  public boolean matches(String rule, Map<String, Object> profile, Instant now) {
    CelRuntime.Program program = compile(rule);
    try {
      return Boolean.TRUE.equals(program.eval(Map.of("profile", profile, "now", now)));
    } catch (CelEvaluationException e) {
      return false;
    }
  }
}
