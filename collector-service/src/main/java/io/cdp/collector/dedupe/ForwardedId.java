package io.cdp.collector.dedupe;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@code messageId} of a source as the collector remembers it: the first 128 bits of the SHA-256
 * of the source id and the messageId. A cryptographic digest because the ids come from clients: a
 * source must not be able to craft ids that collide with another source's and get its events
 * dropped as duplicates. 16 bytes each, whatever the length of the id.
 */
public record ForwardedId(long high, long low) {

  static final int BYTES = 16;

  private static final ThreadLocal<MessageDigest> SHA_256 =
      ThreadLocal.withInitial(
          () -> {
            try {
              return MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
              throw new IllegalStateException("Every JVM has SHA-256", e);
            }
          });

  public static ForwardedId of(String sourceId, String messageId) {
    MessageDigest sha = SHA_256.get();
    sha.update(sourceId.getBytes(StandardCharsets.UTF_8));
    sha.update((byte) 0); // source ids hold no NUL: the first one ends it, whatever the messageId
    ByteBuffer digest = ByteBuffer.wrap(sha.digest(messageId.getBytes(StandardCharsets.UTF_8)));
    return new ForwardedId(digest.getLong(), digest.getLong());
  }

  /** The ids one after the other, 16 bytes each: a record of {@code cdp.collector.forwarded}. */
  static byte[] pack(List<ForwardedId> ids) {
    ByteBuffer packed = ByteBuffer.allocate(ids.size() * BYTES);
    ids.forEach(id -> packed.putLong(id.high()).putLong(id.low()));
    return packed.array();
  }

  /** The ids of a record of {@code cdp.collector.forwarded}. */
  static List<ForwardedId> unpack(byte[] packed) {
    if (packed == null) {
      return List.of();
    }
    ByteBuffer ids = ByteBuffer.wrap(packed);
    List<ForwardedId> unpacked = new ArrayList<>(packed.length / BYTES);
    while (ids.remaining() >= BYTES) {
      unpacked.add(new ForwardedId(ids.getLong(), ids.getLong()));
    }
    return unpacked;
  }
}
