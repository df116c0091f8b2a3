package io.cdp.audience;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelFunctionDecl;
import dev.cel.common.CelIssue;
import dev.cel.common.CelMutableAst;
import dev.cel.common.CelOverloadDecl;
import dev.cel.common.CelSource;
import dev.cel.common.CelSourceLocation;
import dev.cel.common.CelValidationException;
import dev.cel.common.ast.CelMutableExpr;
import dev.cel.common.navigation.CelNavigableMutableExpr;
import dev.cel.common.types.CelType;
import dev.cel.common.types.ListType;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerBuilder;
import io.cdp.audience.ProfileReads.AttributeRead;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Checks a rule against the attribute definitions of the profile service: every attribute it names
 * must be defined, and what the rule does with it must fit the attribute's type. Pure.
 *
 * <p>{@code profile} is a map of dynamic values at run time, so CEL alone cannot know an
 * attribute's type. Here each read of a defined attribute is replaced, in a copy of the rule, by a
 * variable of the attribute's CEL type ({@link #celType}), and the copy is type-checked: {@code
 * profile.attributes.lifetime_orders == 'x'} then fails as {@code (double, string)} does, at the
 * position of the original. Only the check uses the copy; the rule runs as written.
 */
final class AttributeCheck {

  /** Profile values are JSON: numbers arrive as doubles whatever the rule's literal looks like. */
  private static final List<CelFunctionDecl> NUMBER_EQUALITY =
      List.of(
          CelFunctionDecl.newFunctionDeclaration(
              "_==_",
              CelOverloadDecl.newGlobalOverload(
                  "cdp_equals_double_int", SimpleType.BOOL, SimpleType.DOUBLE, SimpleType.INT),
              CelOverloadDecl.newGlobalOverload(
                  "cdp_equals_int_double", SimpleType.BOOL, SimpleType.INT, SimpleType.DOUBLE)),
          CelFunctionDecl.newFunctionDeclaration(
              "_!=_",
              CelOverloadDecl.newGlobalOverload(
                  "cdp_not_equals_double_int", SimpleType.BOOL, SimpleType.DOUBLE, SimpleType.INT),
              CelOverloadDecl.newGlobalOverload(
                  "cdp_not_equals_int_double",
                  SimpleType.BOOL,
                  SimpleType.INT,
                  SimpleType.DOUBLE)));

  /**
   * The CEL type of an attribute's value as profile changes carry it (JSON), by the type name the
   * profile service's API uses; empty for a badge, which is not a value under {@code attributes}
   * but a name in {@code profile.badges}. A type this service does not know yet reads as {@code
   * dyn}: a newer profile service must not make every rule fail.
   *
   * <ul>
   *   <li>{@code number}: double; {@code string}: string; {@code boolean}: bool;
   *   <li>{@code date}: string, an ISO-8601 instant ({@code timestamp(...)} makes it a timestamp);
   *   <li>{@code set}: list(string); {@code tally}: map(string, double);
   *   <li>{@code timeline}: list(map(string, dyn)), entries {@code {"time", "values"}}.
   * </ul>
   */
  static Optional<CelType> celType(String type) {
    return switch (type) {
      case "number" -> Optional.of(SimpleType.DOUBLE);
      case "string", "date" -> Optional.of(SimpleType.STRING);
      case "boolean" -> Optional.of(SimpleType.BOOL);
      case "set" -> Optional.of(ListType.create(SimpleType.STRING));
      case "tally" -> Optional.of(MapType.create(SimpleType.STRING, SimpleType.DOUBLE));
      case "timeline" ->
          Optional.of(ListType.create(MapType.create(SimpleType.STRING, SimpleType.DYN)));
      case "badge" -> Optional.empty();
      default -> Optional.of(SimpleType.DYN);
    };
  }

  /**
   * Checks {@code parsed} (a rule that compiled in {@code compiler}'s environment) against {@code
   * definitions} (attribute name to type name).
   *
   * @throws AudienceRules.InvalidRuleException naming each unknown attribute, or the first type
   *     error, with its line and column as CEL writes them ({@code <input>:1:27: ...})
   */
  static void check(
      CelCompiler compiler, CelAbstractSyntaxTree parsed, Map<String, String> definitions) {
    List<AttributeRead> reads = ProfileReads.attributes(parsed);
    CelSource source = parsed.getSource();
    List<CelIssue> issues = new ArrayList<>();
    for (AttributeRead read : reads) {
      String type = definitions.get(read.name());
      if (type == null) {
        issues.add(issue(source, read, "undefined attribute '" + read.name() + "'"));
      } else if (celType(type).isEmpty()) {
        issues.add(
            issue(
                source,
                read,
                "'%s' is a badge, not an attribute value: test it with '%s' in profile.badges"
                    .formatted(read.name(), read.name())));
      }
    }
    if (!issues.isEmpty()) {
      throw new AudienceRules.InvalidRuleException(CelIssue.toDisplayString(issues, source));
    }

    // has(profile.attributes.x) tests the map and stays as it is: any attribute may be absent.
    Map<Long, String> typed =
        reads.stream()
            .filter(read -> !read.presenceTest())
            .collect(Collectors.toMap(AttributeRead::exprId, AttributeRead::name));
    if (typed.isEmpty()) {
      return;
    }
    CelMutableAst copy = CelMutableAst.fromCelAst(parsed);
    CelNavigableMutableExpr.fromExpr(copy.expr())
        .allNodes()
        .map(CelNavigableMutableExpr::expr)
        .filter(expr -> typed.containsKey(expr.id()))
        .toList() // replace after walking, not while
        .forEach(
            expr ->
                expr.setIdent(
                    CelMutableExpr.CelMutableIdent.create(variable(typed.get(expr.id())))));
    CelCompilerBuilder environment =
        compiler.toCompilerBuilder().addFunctionDeclarations(NUMBER_EQUALITY);
    Set.copyOf(typed.values())
        .forEach(
            name ->
                environment.addVar(variable(name), celType(definitions.get(name)).orElseThrow()));
    try {
      // The original source keeps every position: the copy has the same expression ids.
      environment
          .build()
          .check(CelAbstractSyntaxTree.newParsedAst(copy.toParsedAst().getExpr(), source))
          .getAst();
    } catch (CelValidationException e) {
      throw new AudienceRules.InvalidRuleException(e.getMessage().strip());
    }
  }

  /** A name no rule can write (CEL identifiers cannot start with {@code @}). */
  private static String variable(String attribute) {
    return "@attribute_" + attribute;
  }

  private static CelIssue issue(CelSource source, AttributeRead read, String message) {
    CelSourceLocation location =
        Optional.ofNullable(source.getPositionsMap().get(read.exprId()))
            .flatMap(source::getOffsetLocation)
            .orElse(CelSourceLocation.NONE);
    return CelIssue.formatError(read.exprId(), location, message);
  }

  private AttributeCheck() {}
}
