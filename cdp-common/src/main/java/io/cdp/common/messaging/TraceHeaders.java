package io.cdp.common.messaging;

import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapSetter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * Kafka record headers as OpenTelemetry's propagators read and write them (W3C {@code
 * traceparent}), for the places that handle records themselves rather than through a messaging
 * channel: one event's trace goes on from the collector's request to the connector's delivery.
 */
public final class TraceHeaders {

  /** Writes a propagation field, replacing any earlier value. */
  public static final TextMapSetter<Headers> SETTER =
      (headers, name, value) -> {
        if (headers != null) {
          headers.remove(name).add(name, value.getBytes(StandardCharsets.UTF_8));
        }
      };

  /** Reads a propagation field: the last value of the header. */
  public static final TextMapGetter<Headers> GETTER =
      new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Headers headers) {
          List<String> keys = new ArrayList<>();
          headers.forEach(header -> keys.add(header.key()));
          return keys;
        }

        @Override
        public String get(Headers headers, String name) {
          if (headers == null) {
            return null;
          }
          Header header = headers.lastHeader(name);
          return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
        }
      };

  private TraceHeaders() {}
}
