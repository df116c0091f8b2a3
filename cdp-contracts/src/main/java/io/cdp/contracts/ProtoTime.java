package io.cdp.contracts;

import com.google.protobuf.Timestamp;
import java.time.Instant;

/** Converts between {@link Instant} and the payloads' {@code google.protobuf.Timestamp}. */
public final class ProtoTime {

  public static Timestamp timestamp(Instant instant) {
    return Timestamp.newBuilder()
        .setSeconds(instant.getEpochSecond())
        .setNanos(instant.getNano())
        .build();
  }

  public static Instant instant(Timestamp timestamp) {
    return Instant.ofEpochSecond(timestamp.getSeconds(), timestamp.getNanos());
  }

  private ProtoTime() {}
}
