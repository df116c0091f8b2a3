package io.cdp.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Identifier parsing for lookups. */
class IdentifiersTest {

  @Test
  void typeAndValueAreSplitAtTheFirstColonAndEmailsNormalised() {
    assertEquals(Optional.of("user_id:42"), Identifiers.parse("user_id:42"));
    assertEquals(Optional.of("external:a:b"), Identifiers.parse("external:a:b"));
    assertEquals(
        Optional.of("email:ann@example.com"), Identifiers.parse("email: Ann@Example.COM "));
  }

  @Test
  void anythingElseIsRefused() {
    assertEquals(Optional.empty(), Identifiers.parse("no-colon"));
    assertEquals(Optional.empty(), Identifiers.parse(":42"));
    assertEquals(Optional.empty(), Identifiers.parse("user_id:"));
    assertEquals(Optional.empty(), Identifiers.parse(null));
  }
}
