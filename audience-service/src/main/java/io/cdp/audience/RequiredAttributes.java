package io.cdp.audience;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.ast.CelConstant;
import dev.cel.common.ast.CelExpr;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The attributes a rule cannot be answered without: those it reads ({@code
 * profile.attributes.<name>} or {@code ['<name>']}) where an error always reaches the result. A
 * missing map key is an error in CEL, and only {@code &&}, {@code ||}, the condition's branches of
 * {@code ?:}, comprehensions and {@code has()} can stop an error from reaching the result; every
 * other function is strict. So for a profile that lacks one of these attributes, the rule is an
 * error, which {@link AudienceRules#matches} answers "no", and it need not run: building CEL's
 * error (its message is formatted with a regular expression) was most of an evaluation's cost for a
 * new visitor, whose counters are mostly absent. Pure.
 */
final class RequiredAttributes {

  private final Set<String> names;

  private RequiredAttributes(Set<String> names) {
    this.names = names;
  }

  static RequiredAttributes of(CelAbstractSyntaxTree ast) {
    Set<String> names = new TreeSet<>();
    collect(ast.getExpr(), names);
    return new RequiredAttributes(Set.copyOf(names));
  }

  Set<String> names() {
    return names;
  }

  /** Whether {@code attributes} (the profile's, null if unknown) lacks one of the names. */
  boolean missingFrom(Object attributes) {
    if (names.isEmpty() || !(attributes instanceof Map<?, ?> present)) {
      return false;
    }
    for (String name : names) {
      if (!present.containsKey(name)) {
        return true;
      }
    }
    return false;
  }

  private static void collect(CelExpr expr, Set<String> into) {
    switch (expr.getKind()) {
      case SELECT -> {
        if (expr.select().testOnly()) {
          return; // has(...): answers false for an absent key
        }
        if (isAttributes(expr.select().operand())) {
          into.add(expr.select().field());
        } else {
          collect(expr.select().operand(), into);
        }
      }
      case CALL -> {
        String function = expr.call().function();
        if (function.equals("_&&_")
            || function.equals("_||_")
            || function.equals("@not_strictly_false")) {
          return; // may answer despite an error in one side
        }
        if (function.equals("_?_:_")) {
          collect(expr.call().args().get(0), into); // only the condition is always evaluated
          return;
        }
        if (function.equals("_[_]")
            && expr.call().args().size() == 2
            && isAttributes(expr.call().args().get(0))
            && isString(expr.call().args().get(1))) {
          into.add(expr.call().args().get(1).constant().stringValue());
          return;
        }
        expr.call().target().ifPresent(target -> collect(target, into));
        expr.call().args().forEach(arg -> collect(arg, into));
      }
      default -> {
        // identifiers, constants, lists, maps, structs, comprehensions: nothing certain
      }
    }
  }

  /** {@code profile.attributes}. */
  private static boolean isAttributes(CelExpr expr) {
    return expr.getKind() == CelExpr.ExprKind.Kind.SELECT
        && !expr.select().testOnly()
        && expr.select().field().equals("attributes")
        && expr.select().operand().getKind() == CelExpr.ExprKind.Kind.IDENT
        && expr.select().operand().ident().name().equals("profile");
  }

  private static boolean isString(CelExpr expr) {
    return expr.getKind() == CelExpr.ExprKind.Kind.CONSTANT
        && expr.constant().getKind() == CelConstant.Kind.STRING_VALUE;
  }
}
