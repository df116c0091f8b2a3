package io.cdp.collector.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.infinispan.commons.dataconversion.MediaType;
import org.infinispan.commons.io.ByteBuffer;
import org.infinispan.commons.io.ByteBufferImpl;
import org.infinispan.commons.marshall.BufferSizePredictor;
import org.infinispan.commons.marshall.Marshaller;
import org.infinispan.protostream.WrappedMessage;

/**
 * Strings in ProtoStream's encoding (a {@code WrappedMessage} holding only its {@code
 * wrappedString} field), written and read directly; anything else goes to the client's own
 * marshaller. The general ProtoStream path allocates a buffer of several hundred bytes per key and
 * then copies it to size, for every key of every duplicate check and mark. The bytes are the same
 * as ProtoStream's ({@code WrappedStringsTest}), so replicas with either marshaller agree on keys.
 */
final class WrappedStrings implements Marshaller {

  /** Field {@code wrappedString}, wire type 2 (length-delimited). */
  private static final byte TAG = (byte) (WrappedMessage.WRAPPED_STRING << 3 | 2);

  private final Marshaller others;

  WrappedStrings(Marshaller others) {
    this.others = others;
  }

  @Override
  public byte[] objectToByteBuffer(Object o) throws IOException, InterruptedException {
    if (!(o instanceof String text)) {
      return others.objectToByteBuffer(o);
    }
    byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
    int length = utf8.length;
    int header = 1 + varintSize(length);
    byte[] out = new byte[header + length];
    out[0] = TAG;
    int at = 1;
    while ((length & ~0x7F) != 0) {
      out[at++] = (byte) ((length & 0x7F) | 0x80);
      length >>>= 7;
    }
    out[at] = (byte) length;
    System.arraycopy(utf8, 0, out, header, utf8.length);
    return out;
  }

  @Override
  public byte[] objectToByteBuffer(Object o, int estimatedSize)
      throws IOException, InterruptedException {
    return objectToByteBuffer(o);
  }

  @Override
  public ByteBuffer objectToBuffer(Object o) throws IOException, InterruptedException {
    return ByteBufferImpl.create(objectToByteBuffer(o));
  }

  @Override
  public Object objectFromByteBuffer(byte[] buf) throws IOException, ClassNotFoundException {
    return objectFromByteBuffer(buf, 0, buf.length);
  }

  @Override
  public Object objectFromByteBuffer(byte[] buf, int offset, int length)
      throws IOException, ClassNotFoundException {
    if (length >= 2 && buf[offset] == TAG) {
      int at = offset + 1;
      int end = offset + length;
      int size = 0;
      for (int shift = 0; at < end && shift < 32; shift += 7) {
        byte b = buf[at++];
        size |= (b & 0x7F) << shift;
        if (b >= 0) {
          if (size >= 0 && at + size == end) {
            return new String(buf, at, size, StandardCharsets.UTF_8);
          }
          break;
        }
      }
    }
    return others.objectFromByteBuffer(buf, offset, length);
  }

  @Override
  public boolean isMarshallable(Object o) throws Exception {
    return o instanceof String || others.isMarshallable(o);
  }

  @Override
  public BufferSizePredictor getBufferSizePredictor(Object o) {
    return others.getBufferSizePredictor(o);
  }

  @Override
  public MediaType mediaType() {
    return MediaType.APPLICATION_PROTOSTREAM;
  }

  private static int varintSize(int value) {
    int size = 1;
    while ((value & ~0x7F) != 0) {
      value >>>= 7;
      size++;
    }
    return size;
  }
}
