package io.cdp.audience;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.ast.CelExpr;
import dev.cel.common.navigation.CelNavigableExpr;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * When time alone can change a rule's answer for a profile. Pure.
 *
 * <p>A rule reads time only through {@code now}. Where {@code now} appears in an ordering
 * comparison of one of these shapes, with {@code x} and {@code y} not reading {@code now}: {@code
 * now ? y}, {@code now - x ? y}, {@code now + x ? y}, {@code x - now ? y} (either side, any of
 * {@code < <= > >=}), that comparison flips only when {@code now} reaches the moment that makes
 * both sides equal: {@code y}, {@code x + y}, {@code y - x}, {@code x - y}. {@code x} and {@code y}
 * are evaluated on the profile, so the moment is exact (e.g. "last purchase + 30 days"). A rule is
 * a boolean function of its comparisons, so its answer can only change at one of their moments.
 *
 * <p>Any other use of {@code now} ({@code now.getHours() < 9}, {@code ==}, a macro) has no such
 * moment in general; the rule is then {@link #unknown()} and its profiles are re-evaluated at a
 * fixed interval instead (the caller's fallback).
 */
final class TimeMoments {

  private static final Set<String> ORDERINGS = Set.of("_<_", "_<=_", "_>_", "_>=_");

  /** One comparison's flip moment: {@code a + b} or {@code a - b}, evaluated on the profile. */
  private record Moment(CelRuntime.Program a, CelRuntime.Program b, boolean subtract) {}

  private static final TimeMoments NONE = new TimeMoments(List.of(), false);
  private static final TimeMoments UNKNOWN = new TimeMoments(List.of(), true);

  private final List<Moment> moments;
  private final boolean unknown;

  private TimeMoments(List<Moment> moments, boolean unknown) {
    this.moments = moments;
    this.unknown = unknown;
  }

  static TimeMoments unknown() {
    return UNKNOWN;
  }

  /**
   * Analyses a checked rule; {@code programOf} compiles one of its sub-expressions into a program
   * over the same variables.
   */
  static TimeMoments of(
      CelAbstractSyntaxTree ast, Function<CelExpr, CelRuntime.Program> programOf) {
    CelNavigableExpr root = CelNavigableExpr.fromExpr(ast.getExpr());
    Set<Long> nows = new HashSet<>();
    root.allNodes().filter(n -> isNow(n.expr())).forEach(n -> nows.add(n.expr().id()));
    if (nows.isEmpty()) {
      return NONE;
    }
    List<Moment> moments = new ArrayList<>();
    Set<Long> understood = new HashSet<>();
    root.allNodes()
        .map(CelNavigableExpr::expr)
        .filter(e -> e.getKind() == CelExpr.ExprKind.Kind.CALL)
        .filter(e -> ORDERINGS.contains(e.call().function()) && e.call().args().size() == 2)
        .forEach(
            comparison -> {
              CelExpr left = comparison.call().args().get(0);
              CelExpr right = comparison.call().args().get(1);
              boolean leftReadsNow = readsNow(left);
              if (leftReadsNow == readsNow(right)) {
                return;
              }
              CelExpr timed = leftReadsNow ? left : right;
              CelExpr other = leftReadsNow ? right : left;
              momentOf(timed, other, programOf)
                  .ifPresent(
                      moment -> {
                        moments.add(moment);
                        understood.add(nowIn(timed).id());
                      });
            });
    return understood.containsAll(nows) ? new TimeMoments(List.copyOf(moments), false) : UNKNOWN;
  }

  /** Whether the rule reads {@code now} at all. */
  boolean dependsOnTime() {
    return unknown || !moments.isEmpty();
  }

  /**
   * The earliest moment at or after {@code now} when the rule's answer for {@code profile} can
   * change with time alone: empty if it cannot (no {@code now}, or the values the moments need are
   * absent: then only a profile change can change the answer); {@code now + fallback} for a rule
   * whose moments cannot be derived.
   */
  Optional<Instant> next(Map<String, Object> profile, Instant now, Duration fallback) {
    if (unknown) {
      return Optional.of(now.plus(fallback));
    }
    Map<String, Object> variables = Map.of("profile", profile, "now", now);
    Instant next = null;
    for (Moment moment : moments) {
      Instant at = at(moment, variables);
      if (at != null && !at.isBefore(now) && (next == null || at.isBefore(next))) {
        next = at;
      }
    }
    return Optional.ofNullable(next);
  }

  /** The moment as a timestamp, or null if the profile lacks what it needs. */
  private static Instant at(Moment moment, Map<String, Object> variables) {
    Object a;
    Object b;
    try {
      a = moment.a().eval(variables);
      b = moment.b() == null ? null : moment.b().eval(variables);
    } catch (CelEvaluationException e) {
      return null;
    }
    if (b == null) {
      return a instanceof Instant at ? at : null;
    }
    if (moment.subtract()) {
      return a instanceof Instant at && b instanceof Duration d ? at.minus(d) : null;
    }
    if (a instanceof Instant at && b instanceof Duration d) {
      return at.plus(d);
    }
    return b instanceof Instant at && a instanceof Duration d ? at.plus(d) : null;
  }

  /**
   * The flip moment of {@code timed ? other}, if {@code timed} is one of the understood shapes;
   * {@code other} does not read {@code now}.
   */
  private static Optional<Moment> momentOf(
      CelExpr timed, CelExpr other, Function<CelExpr, CelRuntime.Program> programOf) {
    if (isNow(timed)) {
      return Optional.of(new Moment(programOf.apply(other), null, false));
    }
    if (timed.getKind() != CelExpr.ExprKind.Kind.CALL || timed.call().args().size() != 2) {
      return Optional.empty();
    }
    String function = timed.call().function();
    CelExpr first = timed.call().args().get(0);
    CelExpr second = timed.call().args().get(1);
    if (function.equals("_-_") && isNow(first) && !readsNow(second)) {
      // now - x == y  <=>  now == x + y
      return Optional.of(new Moment(programOf.apply(second), programOf.apply(other), false));
    }
    if (function.equals("_-_") && isNow(second) && !readsNow(first)) {
      // x - now == y  <=>  now == x - y
      return Optional.of(new Moment(programOf.apply(first), programOf.apply(other), true));
    }
    if (function.equals("_+_") && (isNow(first) || isNow(second))) {
      // now + x == y  <=>  now == y - x
      CelExpr x = isNow(first) ? second : first;
      return readsNow(x)
          ? Optional.empty()
          : Optional.of(new Moment(programOf.apply(other), programOf.apply(x), true));
    }
    return Optional.empty();
  }

  private static boolean isNow(CelExpr expr) {
    return expr.getKind() == CelExpr.ExprKind.Kind.IDENT && expr.ident().name().equals("now");
  }

  private static boolean readsNow(CelExpr expr) {
    return CelNavigableExpr.fromExpr(expr).allNodes().anyMatch(n -> isNow(n.expr()));
  }

  /** The {@code now} of an understood shape: the expression itself or one of its two arguments. */
  private static CelExpr nowIn(CelExpr timed) {
    return isNow(timed)
        ? timed
        : timed.call().args().stream().filter(TimeMoments::isNow).findFirst().orElseThrow();
  }
}
