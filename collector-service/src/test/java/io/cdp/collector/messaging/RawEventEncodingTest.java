package io.cdp.collector.messaging;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import io.cdp.collector.EventBatch.Accepted;
import io.cdp.contracts.collector.v1.RawEvent;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The collector's own RawEvent encoding is protobuf's, byte for byte. */
class RawEventEncodingTest {

  private static final Instant RECEIVED = Instant.parse("2026-11-25T10:15:30.123Z");

  /** The record value as protobuf's generated code writes it. */
  private static byte[] byProtobuf(String sourceId, Accepted a) {
    return RawEvent.newBuilder()
        .setMessageId(a.messageId())
        .setSourceId(sourceId)
        .setType(a.type())
        .setEvent(a.event() == null ? "" : a.event())
        .setUserId(a.userId() == null ? "" : a.userId())
        .setAnonymousId(a.anonymousId() == null ? "" : a.anonymousId())
        .setTimestamp(timestamp(a.timestamp()))
        .setReceivedAt(timestamp(a.receivedAt()))
        .setPayloadJson(ByteString.copyFrom(a.payload()))
        .build()
        .toByteArray();
  }

  private static Timestamp timestamp(Instant time) {
    return Timestamp.newBuilder()
        .setSeconds(time.getEpochSecond())
        .setNanos(time.getNano())
        .build();
  }

  private static void assertSameAsProtobuf(String sourceId, Accepted event) {
    assertArrayEquals(byProtobuf(sourceId, event), RawEventEncoding.encode(sourceId, event));
  }

  @Test
  void aTrackEventOfAKnownUser() {
    assertSameAsProtobuf(
        "4f1c2b9e-5d2a-4c1b-9a8e-7f6d5c4b3a21",
        new Accepted(
            "6b1c7a1e-3d2f-4b8e-9a55-0c1d2e3f4a5b",
            "track",
            "Order Completed",
            "user-42",
            "a-9",
            "{\"type\":\"track\",\"event\":\"Order Completed\"}".getBytes(StandardCharsets.UTF_8),
            Instant.parse("2026-11-25T10:15:29.5Z"),
            RECEIVED));
  }

  @Test
  void absentIdsAndNamesAreLeftOutAsProtobufDoes() {
    assertSameAsProtobuf(
        "s",
        new Accepted(
            "m",
            "page",
            null,
            null,
            "a-1",
            "{}".getBytes(StandardCharsets.UTF_8),
            RECEIVED,
            RECEIVED));
  }

  @Test
  void nonAsciiTextAndLongPayloads() {
    assertSameAsProtobuf(
        "source-ü",
        new Accepted(
            "id-日本-😀",
            "identify",
            null,
            "benutzer-é",
            null,
            ("{\"traits\":{\"name\":\"" + "ä".repeat(40_000) + "\"}}")
                .getBytes(StandardCharsets.UTF_8),
            RECEIVED,
            RECEIVED));
  }

  @Test
  void timesWithZeroPartsAndBeforeTheEpoch() {
    for (Instant time :
        new Instant[] {
          Instant.EPOCH,
          Instant.ofEpochSecond(1_764_000_000),
          Instant.ofEpochSecond(0, 5),
          Instant.parse("1969-12-31T23:59:59.999Z")
        }) {
      assertSameAsProtobuf(
          "s",
          new Accepted(
              "m", "track", "E", "u", null, "{}".getBytes(StandardCharsets.UTF_8), time, time));
    }
  }
}
