package io.cdp.audience;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import io.cdp.common.ProfileVariables;
import io.cdp.contracts.profile.v1.Profile;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RequiredAttributesTest {

  private static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");

  private static final CelCompiler COMPILER =
      CelCompilerFactory.standardCelCompilerBuilder()
          .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
          .addVar("profile", MapType.create(SimpleType.STRING, SimpleType.DYN))
          .addVar("now", SimpleType.TIMESTAMP)
          .build();

  /** Rules of every shape the analysis tells apart. */
  private static final List<String> RULES =
      List.of(
          "profile.attributes.a >= 2.0",
          "profile.attributes['a'] >= 2.0",
          "profile.attributes.a + profile.attributes.b > 3.0",
          "profile.attributes.a >= 2.0 && profile.attributes.b >= 2.0",
          "profile.attributes.a >= 2.0 || profile.attributes.b >= 2.0",
          "has(profile.attributes.a) && profile.attributes.a >= 2.0",
          "!has(profile.attributes.a) || profile.attributes.a >= 2.0",
          "profile.attributes.a >= 2.0 ? true : profile.attributes.b >= 2.0",
          "(has(profile.attributes.a) ? profile.attributes.a : 0.0) < 2.0",
          "'a' in profile.attributes",
          "!(profile.attributes.b == 1.0)",
          "[1.0, 2.0].exists(x, x == profile.attributes.a)",
          "profile.id == 'p-1'");

  private static CelAbstractSyntaxTree ast(String rule) throws Exception {
    return COMPILER.compile(rule).getAst();
  }

  @Test
  void namesTheAttributesWhoseAbsenceAlwaysMakesTheRuleAnError() throws Exception {
    assertEquals(Set.of("a"), RequiredAttributes.of(ast(RULES.get(0))).names());
    assertEquals(Set.of("a"), RequiredAttributes.of(ast(RULES.get(1))).names());
    assertEquals(Set.of("a", "b"), RequiredAttributes.of(ast(RULES.get(2))).names());
    assertEquals(Set.of(), RequiredAttributes.of(ast(RULES.get(3))).names());
    assertEquals(Set.of(), RequiredAttributes.of(ast(RULES.get(5))).names());
    assertEquals(Set.of("a"), RequiredAttributes.of(ast(RULES.get(7))).names());
    assertEquals(Set.of(), RequiredAttributes.of(ast(RULES.get(8))).names());
    assertEquals(Set.of(), RequiredAttributes.of(ast(RULES.get(9))).names());
    assertEquals(Set.of("b"), RequiredAttributes.of(ast(RULES.get(10))).names());
    assertEquals(Set.of(), RequiredAttributes.of(ast(RULES.get(11))).names());
  }

  /** Skipping a rule for a missing attribute answers exactly what running it answers. */
  @Test
  void matchesAnswersAsTheFullEvaluationForEveryMixOfPresentAndAbsentAttributes() throws Exception {
    AudienceRules rules = new AudienceRules();
    for (String rule : RULES) {
      for (Map<String, Object> profile : profiles()) {
        boolean evaluated;
        try {
          evaluated =
              Boolean.TRUE.equals(rules.compile(rule).eval(Map.of("profile", profile, "now", NOW)));
        } catch (CelEvaluationException e) {
          evaluated = false;
        }
        assertEquals(evaluated, rules.matches(rule, profile, NOW), rule + " for " + profile);
      }
    }
  }

  /** Each of a and b absent, 1.0 or 3.0. */
  private static List<Map<String, Object>> profiles() {
    List<Map<String, Object>> profiles = new ArrayList<>();
    List<Double> values = new ArrayList<>(List.of(-1.0, 1.0, 3.0)); // -1: absent
    for (double a : values) {
      for (double b : values) {
        Struct.Builder attributes = Struct.newBuilder();
        if (a >= 0) {
          attributes.putFields("a", Value.newBuilder().setNumberValue(a).build());
        }
        if (b >= 0) {
          attributes.putFields("b", Value.newBuilder().setNumberValue(b).build());
        }
        profiles.add(
            ProfileVariables.of(
                Profile.newBuilder().setProfileId("p-1").setAttributes(attributes).build()));
      }
    }
    return profiles;
  }
}
