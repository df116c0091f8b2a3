package io.cdp.collector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import org.junit.jupiter.api.Test;

class IsoInstantsTest {

  @Test
  void theCommonShapesGiveWhatTheFullParserGives() {
    for (String text :
        new String[] {
          "2026-01-01T12:00:00Z",
          "2026-01-01T12:00:00.1Z",
          "2026-11-25T23:59:59.123Z",
          "2026-11-25T23:59:59.123456789Z",
          "2024-02-29T00:00:00+02:00",
          "1999-12-31T23:30:00-05:30",
          "2026-06-15T08:15:30.5+14:00"
        }) {
      assertEquals(OffsetDateTime.parse(text).toInstant(), IsoInstants.parseCommon(text), text);
      assertEquals(OffsetDateTime.parse(text).toInstant(), IsoInstants.parse(text), text);
    }
  }

  @Test
  void otherShapesFallBackToTheFullParser() {
    assertNull(IsoInstants.parseCommon("2026-01-01t12:00:00z"));
    assertEquals(Instant.parse("2026-01-01T12:00:00Z"), IsoInstants.parse("2026-01-01t12:00:00z"));
    assertNull(IsoInstants.parseCommon("2026-01-01T12:00Z"));
    assertEquals(Instant.parse("2026-01-01T12:00:00Z"), IsoInstants.parse("2026-01-01T12:00Z"));
  }

  @Test
  void invalidValuesAreRefusedAsTheFullParserRefusesThem() {
    for (String text :
        new String[] {
          "2026-02-30T12:00:00Z",
          "2026-13-01T12:00:00Z",
          "2026-01-01T24:00:00Z",
          "2026-01-01T12:00:00",
          "not a time",
          "2026-01-01T12:00:00+25:00"
        }) {
      assertNull(IsoInstants.parseCommon(text), text);
      assertThrows(DateTimeParseException.class, () -> IsoInstants.parse(text), text);
    }
  }
}
