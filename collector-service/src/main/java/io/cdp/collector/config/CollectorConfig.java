package io.cdp.collector.config;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** The collector's limits and windows ({@code cdp.collector.*}). */
@ConfigMapping(prefix = "cdp.collector")
public interface CollectorConfig {

  /**
   * The largest request body, after gzip decompression (Segment: 500 KB). Quarkus' own {@code
   * quarkus.http.limits.max-body-size} is set higher, as a backstop that answers without a body.
   */
  @WithDefault("500K")
  MemorySize maxRequestSize();

  /** The largest event, measured on the normalised JSON that goes to Kafka (Segment: 32 KB). */
  @WithDefault("32K")
  MemorySize maxEventSize();

  /** The most events one batch request may carry (Segment: 2,500). */
  @WithDefault("2500")
  int maxBatchEvents();

  /** How long a request waits for Kafka's acknowledgements before answering 503. */
  @WithDefault("10s")
  Duration ackTimeout();

  /**
   * How long a source read from PostgreSQL is trusted from memory: a source disabled through
   * another replica is refused here after at most this long (at once through this one).
   */
  @WithDefault("30s")
  Duration sourceCacheTtl();

  /**
   * Kafka producer settings of the {@code cdp.events.raw} producer, over the suite's shared ones
   * (e.g. {@code cdp.collector.producer.max.block.ms}).
   */
  Map<String, String> producer();

  /** Duplicate suppression by messageId. */
  Dedupe dedupe();

  /** Tealium-style collection. */
  Tealium tealium();

  /** Duplicate {@code messageId}s of one source within the window are acknowledged, not resent. */
  interface Dedupe {
    @WithDefault("24h")
    Duration window();

    /**
     * The most messageIds a replica holds (about 40 bytes each, on its heap); past it the oldest go
     * first, so under heavy traffic the window is shorter than {@link #window()}.
     */
    @WithDefault("1000000")
    int maxIds();
  }

  /** How Tealium data-layer fields map onto the Segment-spec event. */
  interface Tealium {
    /** Data-layer fields that carry the customer's own id; the first present becomes userId. */
    @WithDefault("customer_id")
    List<String> userIdFields();
  }
}
