package io.cdp.collector.messaging;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import io.cdp.collector.EventBatch.Accepted;
import io.cdp.contracts.collector.v1.RawEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * The {@link RawEvent} encoding of an accepted event, written straight into one array of its exact
 * size: what {@code RawEvent.newBuilder()...build().toByteArray()} gives, byte for byte ({@code
 * RawEventEncodingTest}), without a builder, a message and two {@code Timestamp}s per event, and
 * with each string's UTF-8 computed once instead of measured and then encoded.
 */
final class RawEventEncoding {

  private static final byte[] NONE = new byte[0];
  private static final int TIMESTAMP_SECONDS = 1;
  private static final int TIMESTAMP_NANOS = 2;

  private RawEventEncoding() {}

  static byte[] encode(String sourceId, Accepted event) {
    byte[] messageId = utf8(event.messageId());
    byte[] source = utf8(sourceId);
    byte[] type = utf8(event.type());
    byte[] name = utf8(event.event());
    byte[] userId = utf8(event.userId());
    byte[] anonymousId = utf8(event.anonymousId());
    int timestamp = timestampSize(event.timestamp());
    int receivedAt = timestampSize(event.receivedAt());
    int size =
        bytesSize(RawEvent.MESSAGE_ID_FIELD_NUMBER, messageId.length)
            + bytesSize(RawEvent.SOURCE_ID_FIELD_NUMBER, source.length)
            + bytesSize(RawEvent.TYPE_FIELD_NUMBER, type.length)
            + bytesSize(RawEvent.EVENT_FIELD_NUMBER, name.length)
            + bytesSize(RawEvent.USER_ID_FIELD_NUMBER, userId.length)
            + bytesSize(RawEvent.ANONYMOUS_ID_FIELD_NUMBER, anonymousId.length)
            + messageSize(RawEvent.TIMESTAMP_FIELD_NUMBER, timestamp)
            + messageSize(RawEvent.RECEIVED_AT_FIELD_NUMBER, receivedAt)
            + bytesSize(RawEvent.PAYLOAD_JSON_FIELD_NUMBER, event.payload().length);
    byte[] out = new byte[size];
    CodedOutputStream writer = CodedOutputStream.newInstance(out);
    try {
      // In field-number order, empty values left out: as protobuf writes a proto3 message
      writeBytes(writer, RawEvent.MESSAGE_ID_FIELD_NUMBER, messageId);
      writeBytes(writer, RawEvent.SOURCE_ID_FIELD_NUMBER, source);
      writeBytes(writer, RawEvent.TYPE_FIELD_NUMBER, type);
      writeBytes(writer, RawEvent.EVENT_FIELD_NUMBER, name);
      writeBytes(writer, RawEvent.USER_ID_FIELD_NUMBER, userId);
      writeBytes(writer, RawEvent.ANONYMOUS_ID_FIELD_NUMBER, anonymousId);
      writeTimestamp(writer, RawEvent.TIMESTAMP_FIELD_NUMBER, event.timestamp(), timestamp);
      writeTimestamp(writer, RawEvent.RECEIVED_AT_FIELD_NUMBER, event.receivedAt(), receivedAt);
      writeBytes(writer, RawEvent.PAYLOAD_JSON_FIELD_NUMBER, event.payload());
      writer.checkNoSpaceLeft();
    } catch (IOException e) {
      throw new UncheckedIOException("The RawEvent did not fit its computed size", e);
    }
    return out;
  }

  private static byte[] utf8(String text) {
    return text == null ? NONE : text.getBytes(StandardCharsets.UTF_8);
  }

  private static int bytesSize(int field, int length) {
    return length == 0 ? 0 : messageSize(field, length);
  }

  /** A length-delimited field that is always written (a message field that is set). */
  private static int messageSize(int field, int length) {
    return CodedOutputStream.computeTagSize(field)
        + CodedOutputStream.computeUInt32SizeNoTag(length)
        + length;
  }

  private static int timestampSize(Instant time) {
    int size = 0;
    if (time.getEpochSecond() != 0) {
      size += CodedOutputStream.computeInt64Size(TIMESTAMP_SECONDS, time.getEpochSecond());
    }
    if (time.getNano() != 0) {
      size += CodedOutputStream.computeInt32Size(TIMESTAMP_NANOS, time.getNano());
    }
    return size;
  }

  private static void writeBytes(CodedOutputStream writer, int field, byte[] value)
      throws IOException {
    if (value.length > 0) {
      writer.writeTag(field, WireFormat.WIRETYPE_LENGTH_DELIMITED);
      writer.writeUInt32NoTag(value.length);
      writer.writeRawBytes(value);
    }
  }

  private static void writeTimestamp(CodedOutputStream writer, int field, Instant time, int size)
      throws IOException {
    writer.writeTag(field, WireFormat.WIRETYPE_LENGTH_DELIMITED);
    writer.writeUInt32NoTag(size);
    if (time.getEpochSecond() != 0) {
      writer.writeInt64(TIMESTAMP_SECONDS, time.getEpochSecond());
    }
    if (time.getNano() != 0) {
      writer.writeInt32(TIMESTAMP_NANOS, time.getNano());
    }
  }
}
