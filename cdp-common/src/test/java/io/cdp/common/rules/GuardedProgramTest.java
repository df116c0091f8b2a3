package io.cdp.common.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GuardedProgramTest {

  private static final CelCompiler COMPILER =
      CelCompilerFactory.standardCelCompilerBuilder()
          .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
          .addVar("profile", MapType.create(SimpleType.STRING, SimpleType.DYN))
          .addVar("event", MapType.create(SimpleType.STRING, SimpleType.DYN))
          .build();

  private static final CelRuntime RUNTIME = CelRuntimeFactory.standardCelRuntimeBuilder().build();

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
          "event.event == 'Product Viewed'",
          "event.properties.price > 10.0",
          "event.properties['price'] > 10.0 && event.type == 'track'",
          "event.type == 'page' || event.properties.price > 10.0",
          "size(event.properties) > 0",
          "event.properties.price.amount > 1.0");

  private static GuardedProgram guarded(String rule) throws Exception {
    CelAbstractSyntaxTree ast = COMPILER.compile(rule).getAst();
    return GuardedProgram.of(RUNTIME.createProgram(ast), ast);
  }

  @Test
  void namesThePathsWhoseAbsenceAlwaysMakesTheRuleAnError() throws Exception {
    assertEquals(List.of(List.of("profile", "attributes", "a")), paths(RULES.get(0)));
    assertEquals(List.of(List.of("profile", "attributes", "a")), paths(RULES.get(1)));
    assertEquals(
        List.of(List.of("profile", "attributes", "a"), List.of("profile", "attributes", "b")),
        paths(RULES.get(2)));
    assertEquals(List.of(), paths(RULES.get(3)));
    assertEquals(List.of(), paths(RULES.get(5)));
    assertEquals(List.of(List.of("profile", "attributes", "a")), paths(RULES.get(7)));
    assertEquals(List.of(), paths(RULES.get(8)));
    assertEquals(List.of(List.of("profile", "attributes")), paths(RULES.get(9)));
    assertEquals(List.of(), paths(RULES.get(11)));
    assertEquals(List.of(List.of("event", "event")), paths(RULES.get(12)));
    assertEquals(List.of(List.of("event", "properties", "price")), paths(RULES.get(13)));
  }

  /** Skipping a rule for a missing path answers exactly what running it answers. */
  @Test
  void answersAsTheFullEvaluationForEveryMixOfPresentAndAbsentValues() throws Exception {
    for (String rule : RULES) {
      GuardedProgram guarded = guarded(rule);
      for (Map<String, Object> vars : variables()) {
        Object evaluated;
        try {
          evaluated = guarded.program().eval(vars);
        } catch (CelEvaluationException e) {
          evaluated = null;
        }
        assertEquals(evaluated, guarded.evalOrNull(vars), rule + " for " + vars);
      }
    }
  }

  private static List<List<String>> paths(String rule) throws Exception {
    return guarded(rule).requiredPaths();
  }

  /**
   * Profiles with attributes a and b each absent, 1.0 or 3.0, and events with or without a name, a
   * properties map, a price (or a price that is itself a map).
   */
  private static List<Map<String, Object>> variables() {
    List<Object> values = new ArrayList<>();
    values.add(null); // absent
    values.add(1.0);
    values.add(30.0);
    List<Map<String, Object>> events = new ArrayList<>();
    for (Object price : List.of("absent", 5.0, 50.0, Map.of("amount", 2.0))) {
      for (boolean named : List.of(true, false)) {
        Map<String, Object> event = new HashMap<>();
        event.put("type", named ? "track" : "page");
        if (named) {
          event.put("event", "Product Viewed");
        }
        if (!"absent".equals(price)) {
          event.put("properties", Map.of("price", price));
        }
        events.add(event);
      }
    }
    List<Map<String, Object>> all = new ArrayList<>();
    for (Object a : values) {
      for (Object b : values) {
        Map<String, Object> attributes = new HashMap<>();
        if (a != null) {
          attributes.put("a", a);
        }
        if (b != null) {
          attributes.put("b", b);
        }
        for (Map<String, Object> event : events) {
          all.add(Map.of("profile", Map.of("attributes", attributes), "event", event));
        }
      }
    }
    return all;
  }
}
