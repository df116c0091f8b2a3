package io.cdp.common.rules;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.ast.CelConstant;
import dev.cel.common.ast.CelExpr;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A compiled rule (CEL) with the variable paths it cannot be evaluated without, for the services
 * that evaluate rules per event: a path such as {@code profile.attributes.orders} or {@code
 * event.properties['price']} whose absence always makes the rule an error. When a map on such a
 * path lacks the key, the rule is an error without being run: CEL would build an error whose
 * message it formats with a regular expression, which was most of an evaluation's cost where rules
 * read what many events or profiles do not have (a new visitor's counters, a page view's product
 * fields).
 *
 * <p>Which paths: in CEL a missing map key is an error, and only {@code &&}, {@code ||}, the
 * branches of {@code ?:}, comprehensions and {@code has()} can keep an error from the result; every
 * other function is strict. So a select chain (or a constant-string index) from a variable counts
 * unless one of those stands between it and the result. A path through something that is not a map
 * at run time (a null, a message) proves nothing and is evaluated as usual.
 */
public final class GuardedProgram {

  private final CelRuntime.Program program;
  private final List<List<String>> requiredPaths;

  private GuardedProgram(CelRuntime.Program program, List<List<String>> requiredPaths) {
    this.program = program;
    this.requiredPaths = requiredPaths;
  }

  /** {@code program}, compiled from {@code ast}. */
  public static GuardedProgram of(CelRuntime.Program program, CelAbstractSyntaxTree ast) {
    Set<List<String>> paths = new LinkedHashSet<>();
    collect(ast.getExpr(), paths);
    return new GuardedProgram(program, List.copyOf(paths));
  }

  /** The result for {@code vars}, or null when the rule is an error for them. */
  public Object evalOrNull(Map<String, Object> vars) {
    if (lacksRequiredPath(vars)) {
      return null;
    }
    try {
      return program.eval(vars);
    } catch (CelEvaluationException e) {
      return null;
    }
  }

  /** The program itself. */
  public CelRuntime.Program program() {
    return program;
  }

  /** Each path as the variable's name and then the keys, e.g. {@code [profile, attributes, a]}. */
  List<List<String>> requiredPaths() {
    return requiredPaths;
  }

  private boolean lacksRequiredPath(Map<String, Object> vars) {
    for (List<String> path : requiredPaths) {
      Object value = vars;
      for (String key : path) {
        if (!(value instanceof Map<?, ?> map)) {
          break; // not a map here: the path proves nothing
        }
        if (!map.containsKey(key)) {
          return true;
        }
        value = map.get(key);
      }
    }
    return false;
  }

  private static void collect(CelExpr expr, Set<List<String>> into) {
    switch (expr.getKind()) {
      case SELECT -> {
        if (expr.select().testOnly()) {
          return; // has(...)
        }
        List<String> path = path(expr);
        if (path != null) {
          into.add(path);
        } else {
          collect(expr.select().operand(), into);
        }
      }
      case CALL -> {
        String function = expr.call().function();
        if (function.equals("_&&_")
            || function.equals("_||_")
            || function.equals("@not_strictly_false")) {
          return; // may answer despite an error on one side
        }
        if (function.equals("_?_:_")) {
          collect(expr.call().args().get(0), into); // only the condition is always evaluated
          return;
        }
        List<String> path = path(expr);
        if (path != null) {
          into.add(path);
          return;
        }
        expr.call().target().ifPresent(target -> collect(target, into));
        expr.call().args().forEach(arg -> collect(arg, into));
      }
      default -> {
        // identifiers (always bound), constants, lists, maps, structs, comprehensions
      }
    }
  }

  /** The path of a select chain or constant-string index from a variable; null if it is none. */
  private static List<String> path(CelExpr expr) {
    switch (expr.getKind()) {
      case IDENT -> {
        List<String> path = new ArrayList<>();
        path.add(expr.ident().name());
        return path;
      }
      case SELECT -> {
        if (expr.select().testOnly()) {
          return null;
        }
        List<String> path = path(expr.select().operand());
        if (path != null) {
          path.add(expr.select().field());
        }
        return path;
      }
      case CALL -> {
        List<CelExpr> args = expr.call().args();
        if (!expr.call().function().equals("_[_]")
            || args.size() != 2
            || args.get(1).getKind() != CelExpr.ExprKind.Kind.CONSTANT
            || args.get(1).constant().getKind() != CelConstant.Kind.STRING_VALUE) {
          return null;
        }
        List<String> path = path(args.get(0));
        if (path != null) {
          path.add(args.get(1).constant().stringValue());
        }
        return path;
      }
      default -> {
        return null;
      }
    }
  }
}
