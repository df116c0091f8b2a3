package io.cdp.collector.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.infinispan.commons.marshall.ProtoStreamMarshaller;
import org.junit.jupiter.api.Test;

/**
 * Dedupe keys written by the collector's own string marshaller are ProtoStream's, byte for byte.
 */
class WrappedStringsTest {

  private final ProtoStreamMarshaller protoStream = new ProtoStreamMarshaller();
  private final WrappedStrings strings = new WrappedStrings(protoStream);

  private static final List<String> SAMPLES =
      List.of(
          "",
          "3f2a9c1e-0000-4000-8000-000000000042:6b1c7a1e-3d2f-4b8e-9a55-0c1d2e3f4a5b",
          "src:ümlaut-é-日本-😀",
          "x".repeat(127),
          "y".repeat(128),
          "z".repeat(20_000));

  @Test
  void stringsAreWrittenExactlyAsProtoStreamWritesThem() throws Exception {
    for (String sample : SAMPLES) {
      assertArrayEquals(protoStream.objectToByteBuffer(sample), strings.objectToByteBuffer(sample));
    }
  }

  @Test
  void whatProtoStreamWroteIsReadBack() throws Exception {
    for (String sample : SAMPLES) {
      byte[] bytes = protoStream.objectToByteBuffer(sample);
      assertEquals(sample, strings.objectFromByteBuffer(bytes));
      byte[] padded = new byte[bytes.length + 4];
      System.arraycopy(bytes, 0, padded, 2, bytes.length);
      assertEquals(sample, strings.objectFromByteBuffer(padded, 2, bytes.length));
    }
  }

  @Test
  void otherValuesGoThroughProtoStream() throws Exception {
    byte[] number = strings.objectToByteBuffer(42L);
    assertArrayEquals(protoStream.objectToByteBuffer(42L), number);
    assertEquals(42L, strings.objectFromByteBuffer(number));
  }
}
