package io.cdp.audience;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelOptions;
import dev.cel.common.CelValidationException;
import dev.cel.common.ast.CelExpr;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import io.cdp.common.ProfileVariables;
import io.cdp.common.rules.GuardedProgram;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Audience rules: CEL expressions over {@code profile} (a map, see {@link ProfileVariables}) and
 * {@code now} (a timestamp) that must return a bool. Pure: no I/O, so it has plain unit tests.
 *
 * <p>Compiled programs are kept by rule text, so a rule is compiled once however many profiles it
 * is evaluated against; so is what the rule's use of {@code now} means ({@link TimeMoments}).
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
  private final Map<String, Compiled> compiled = new ConcurrentHashMap<>();

  /**
   * A rule ready to run, what of the profile it reads, and when time alone can change its answer.
   */
  private record Compiled(GuardedProgram program, ProfileReads reads, TimeMoments time) {}

  /**
   * Compiles and type-checks {@code rule}.
   *
   * @throws InvalidRuleException if it does not compile or does not return a bool
   */
  public CelRuntime.Program compile(String rule) {
    return compiled(rule).program().program();
  }

  /**
   * Whether {@code rule} names attributes ({@code profile.attributes.<name>}, {@code ['<name>']}):
   * then it must be checked against their definitions ({@link #check}) before it is saved.
   *
   * @throws InvalidRuleException if it does not compile or does not return a bool
   */
  public boolean namesAttributes(String rule) {
    compile(rule);
    return !ProfileReads.attributes(parsed(rule)).isEmpty();
  }

  /**
   * Compiles {@code rule} and checks the attributes it names against {@code attributeTypes}
   * (attribute name to the profile service's type name, e.g. {@code number}): see {@link
   * AttributeCheck}.
   *
   * @throws InvalidRuleException if it does not compile, names an attribute that is not defined, or
   *     uses one against its type
   */
  public void check(String rule, Map<String, String> attributeTypes) {
    compile(rule);
    AttributeCheck.check(compiler, parsed(rule), attributeTypes);
  }

  private CelAbstractSyntaxTree parsed(String rule) {
    try {
      return compiler.parse(rule).getAst();
    } catch (CelValidationException e) {
      throw new InvalidRuleException(e.getMessage().strip());
    }
  }

  private Compiled compiled(String rule) {
    Compiled cached = compiled.get(rule);
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
    Compiled result =
        new Compiled(GuardedProgram.of(program(ast), ast), ProfileReads.of(ast), timeMoments(ast));
    compiled.put(rule, result);
    return result;
  }

  private CelRuntime.Program program(CelAbstractSyntaxTree ast) {
    try {
      return runtime.createProgram(ast);
    } catch (CelEvaluationException e) {
      throw new InvalidRuleException(e.getMessage());
    }
  }

  private TimeMoments timeMoments(CelAbstractSyntaxTree ast) {
    try {
      return TimeMoments.of(ast, part -> subProgram(part, ast));
    } catch (InvalidRuleException e) {
      // A part that does not check alone: fall back to re-evaluating at intervals.
      return TimeMoments.unknown();
    }
  }

  /** A part of a checked rule as a program of its own, over the same variables. */
  private CelRuntime.Program subProgram(CelExpr part, CelAbstractSyntaxTree rule) {
    try {
      return program(
          compiler.check(CelAbstractSyntaxTree.newParsedAst(part, rule.getSource())).getAst());
    } catch (CelValidationException e) {
      throw new InvalidRuleException(e.getMessage());
    }
  }

  /**
   * Whether a profile satisfies {@code rule}. A rule that fails at run time (typically it reads an
   * attribute the profile does not have) does not match: absence is not membership.
   */
  public boolean matches(String rule, Map<String, Object> profile, Instant now) {
    return Boolean.TRUE.equals(
        compiled(rule).program().evalOrNull(Map.of("profile", profile, "now", now)));
  }

  /**
   * Whether a profile change of {@code changed} (attribute names, {@code traits}, {@code badges},
   * {@code visit}, {@code identifiers}, {@code consent}) can change the answer of {@code rule}: it
   * reads one of them, reads the profile in a way that cannot be told apart, or reads {@code now}
   * (its answer may have changed since it was last evaluated). The others keep their last answer.
   */
  public boolean affectedBy(String rule, Collection<String> changed) {
    Compiled c = compiled(rule);
    return c.time().dependsOnTime() || c.reads().anyOf(changed);
  }

  /**
   * The earliest moment at or after {@code now} when the answer of {@code rule} for {@code profile}
   * can change without a profile change; empty if it cannot. For a rule whose moments cannot be
   * derived (see {@link TimeMoments}) this is {@code now + fallback}.
   */
  public Optional<Instant> nextTimeChange(
      String rule, Map<String, Object> profile, Instant now, Duration fallback) {
    return compiled(rule).time().next(profile, now, fallback);
  }
}
