package io.cdp.consent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.cdp.consent.Subject.InvalidIdentifierException;
import org.junit.jupiter.api.Test;

class SubjectTest {

  @Test
  void emailsAreTrimmedAndLowerCasedSoOnePersonIsOneSubject() {
    assertEquals("email:ann@example.com", Subject.parse("email: Ann@Example.COM ").key());
  }

  @Test
  void otherValuesKeepTheirCaseAndMayContainColons() {
    Subject subject = Subject.parse("anonymous_id:AbC:42");
    assertEquals("anonymous_id", subject.type());
    assertEquals("AbC:42", subject.value());
  }

  @Test
  void aProfileIdIsTheSubjectProfileColonId() {
    assertEquals("profile:p-1", Subject.ofProfile(" p-1 ").key());
  }

  @Test
  void identifiersWithoutTypeValueOrColonAreRefused() {
    for (String bad : new String[] {"ann@example.com", ":x", "email:", "email:  ", "E-mail:x"}) {
      assertThrows(InvalidIdentifierException.class, () -> Subject.parse(bad), bad);
    }
    assertThrows(InvalidIdentifierException.class, () -> Subject.parse(null));
    assertThrows(InvalidIdentifierException.class, () -> Subject.ofProfile(""));
  }
}
