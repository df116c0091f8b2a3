package io.cdp.collector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
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

  @Test
  void instantsAreWrittenAsInstantToStringWritesThem() {
    Random random = new Random(42);
    List<Instant> instants =
        new ArrayList<>(
            List.of(
                Instant.parse("2026-01-01T00:00:00Z"),
                Instant.parse("2026-01-01T12:00:10.100Z"),
                Instant.parse("2026-11-25T23:59:59.999999Z"),
                Instant.parse("2026-11-25T23:59:59.000000001Z"),
                Instant.parse("0000-01-01T00:00:00Z"),
                Instant.parse("9999-12-31T23:59:59.5Z"),
                Instant.parse("+10000-01-01T00:00:00Z"),
                Instant.parse("-0001-12-31T23:59:59Z"),
                Instant.EPOCH));
    for (int i = 0; i < 10_000; i++) {
      long seconds = random.nextLong(-70_000_000_000L, 300_000_000_000L);
      int nanos =
          switch (i % 4) {
            case 0 -> 0;
            case 1 -> random.nextInt(1000) * 1_000_000;
            case 2 -> random.nextInt(1_000_000) * 1000;
            default -> random.nextInt(1_000_000_000);
          };
      instants.add(Instant.ofEpochSecond(seconds, nanos));
    }
    for (Instant instant : instants) {
      assertEquals(
          '"' + instant.toString() + '"',
          new String(IsoInstants.quotedJson(instant), StandardCharsets.US_ASCII),
          instant::toString);
    }
  }
}
