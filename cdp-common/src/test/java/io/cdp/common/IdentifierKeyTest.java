package io.cdp.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cdp.common.rest.ApiException;
import org.junit.jupiter.api.Test;

class IdentifierKeyTest {

  @Test
  void emailsAreTrimmedAndLowerCased() {
    assertEquals(
        "email:ann@example.com",
        IdentifierKey.parse(" email : Ann@Example.COM ").orElseThrow().toString());
  }

  @Test
  void otherValuesKeepTheirCaseAndMayContainColons() {
    IdentifierKey key = IdentifierKey.parse("anonymous_id:AbC:42").orElseThrow();
    assertEquals("anonymous_id", key.type());
    assertEquals("AbC:42", key.value());
  }

  @Test
  void malformedIdentifiersAreRefused() {
    for (String bad : new String[] {"ann@example.com", ":x", "email:", "email:  ", "E-mail:x"}) {
      assertTrue(IdentifierKey.parse(bad).isEmpty(), bad);
    }
    assertTrue(IdentifierKey.parse(null).isEmpty());
    ApiException e = assertThrows(ApiException.class, () -> IdentifierKey.fromPath("nocolon"));
    assertEquals(400, e.status());
    assertEquals("invalid_identifier", e.code());
  }
}
