package io.cdp.audience;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.ast.CelConstant;
import dev.cel.common.ast.CelExpr;
import dev.cel.common.navigation.CelNavigableExpr;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * What of the profile a rule reads, in the names a {@code ProfileChange} lists as changed: an
 * attribute's name for {@code profile.attributes.<name>} (or {@code ['<name>']}), and {@code
 * traits}, {@code badges}, {@code visit}, {@code identifiers}, {@code consent} for those parts
 * ({@code profile.id} never changes). A rule that reads the profile in any other way (a whole map,
 * an attribute named at run time) reads everything. Pure.
 */
final class ProfileReads {

  private static final Set<String> PARTS =
      Set.of("traits", "badges", "visit", "identifiers", "consent");
  private static final ProfileReads EVERYTHING = new ProfileReads(null);

  /**
   * One attribute a rule names: {@code profile.attributes.<name>} or {@code
   * profile.attributes['<name>']} ({@code exprId} is that expression), or {@code
   * has(profile.attributes.<name>)} ({@code presenceTest}).
   */
  record AttributeRead(String name, long exprId, boolean presenceTest) {}

  /** The names read; null for everything. */
  private final Set<String> names;

  private ProfileReads(Set<String> names) {
    this.names = names;
  }

  static ProfileReads of(CelAbstractSyntaxTree ast) {
    Set<String> names = new TreeSet<>();
    boolean[] all = {false};
    CelNavigableExpr.fromExpr(ast.getExpr())
        .allNodes()
        .filter(n -> isIdent(n.expr(), "profile"))
        .forEach(
            profile -> {
              Optional<String> read = readBy(profile);
              if (read.isEmpty()) {
                all[0] = true;
              } else if (!read.get().isEmpty()) {
                names.add(read.get());
              }
            });
    return all[0] ? EVERYTHING : new ProfileReads(Set.copyOf(names));
  }

  /** Every attribute {@code ast} names, in the order they appear. */
  static List<AttributeRead> attributes(CelAbstractSyntaxTree ast) {
    List<AttributeRead> reads = new ArrayList<>();
    CelNavigableExpr.fromExpr(ast.getExpr())
        .allNodes()
        .filter(n -> isIdent(n.expr(), "profile"))
        .forEach(
            profile ->
                selectOf(profile)
                    .filter(part -> part.expr().select().field().equals("attributes"))
                    .flatMap(ProfileReads::attributeRead)
                    .ifPresent(reads::add));
    return reads;
  }

  /** Whether a change of {@code changed} can change what the rule reads. */
  boolean anyOf(Collection<String> changed) {
    if (names == null) {
      return true;
    }
    // A loop, not a stream: this runs for every audience at every profile change.
    for (String name : changed) {
      if (names.contains(name)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The name one use of {@code profile} reads: empty string for nothing that changes, empty
   * Optional for "cannot tell".
   */
  private static Optional<String> readBy(CelNavigableExpr profile) {
    Optional<CelNavigableExpr> part = selectOf(profile);
    if (part.isEmpty()) {
      return Optional.empty();
    }
    String field = part.get().expr().select().field();
    if (field.equals("id")) {
      return Optional.of("");
    }
    if (PARTS.contains(field)) {
      return Optional.of(field);
    }
    if (!field.equals("attributes")) {
      return Optional.empty();
    }
    return attributeRead(part.get()).map(AttributeRead::name);
  }

  /** The attribute read through {@code attributes} (the node {@code profile.attributes}). */
  private static Optional<AttributeRead> attributeRead(CelNavigableExpr attributes) {
    Optional<CelNavigableExpr> select = selectOf(attributes);
    if (select.isPresent()) {
      CelExpr expr = select.get().expr();
      return Optional.of(
          new AttributeRead(expr.select().field(), expr.id(), expr.select().testOnly()));
    }
    return attributes
        .parent()
        .flatMap(
            index ->
                constantIndex(index.expr(), attributes.expr())
                    .map(name -> new AttributeRead(name, index.expr().id(), false)));
  }

  /** The parent of {@code node} if it selects a field of it. */
  private static Optional<CelNavigableExpr> selectOf(CelNavigableExpr node) {
    return node.parent()
        .filter(
            p ->
                p.expr().getKind() == CelExpr.ExprKind.Kind.SELECT
                    && p.expr().select().operand().id() == node.expr().id());
  }

  /** {@code map['name']}: the name. */
  private static Optional<String> constantIndex(CelExpr call, CelExpr map) {
    if (call.getKind() != CelExpr.ExprKind.Kind.CALL
        || !call.call().function().equals("_[_]")
        || call.call().args().size() != 2
        || call.call().args().get(0).id() != map.id()) {
      return Optional.empty();
    }
    CelExpr key = call.call().args().get(1);
    return key.getKind() == CelExpr.ExprKind.Kind.CONSTANT
            && key.constant().getKind() == CelConstant.Kind.STRING_VALUE
        ? Optional.of(key.constant().stringValue())
        : Optional.empty();
  }

  private static boolean isIdent(CelExpr expr, String name) {
    return expr.getKind() == CelExpr.ExprKind.Kind.IDENT && expr.ident().name().equals(name);
  }
}
