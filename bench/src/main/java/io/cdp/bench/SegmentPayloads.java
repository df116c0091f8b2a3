package io.cdp.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import io.cdp.contracts.ProtoTime;
import io.cdp.contracts.collector.v1.RawEvent;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;

/**
 * Realistic Segment events of about 500 bytes, as a website's analytics library sends them: a mix
 * of track (60%), page (30%) and identify (10%) calls, from known users and anonymous visitors,
 * with a browser context. The same events serve both ends of a comparison: as {@code /v1/batch}
 * bodies for the collector and as the {@link RawEvent} records the collector would write, for the
 * raw producer.
 *
 * <p>Every event carries a distinct {@code messageId} (the collector drops repeated ones): a run
 * prefix and a 48-bit sequence number in the shape of a UUID.
 */
public final class SegmentPayloads {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String[] PRODUCTS = {
    "Trail Running Shoe", "Merino Base Layer", "Waterproof Shell Jacket", "Insulated Bottle",
    "Climbing Harness", "Ultralight Tent", "Headlamp 400", "Hiking Poles"
  };
  private static final String[] TRACK_EVENTS = {
    "Product Viewed", "Product Added", "Checkout Started", "Order Completed", "Products Searched"
  };
  private static final String[] USER_AGENTS = {
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko)"
        + " Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like"
        + " Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko)"
        + " Version/17.5 Safari/605.1.15"
  };
  private static final String[] LOCALES = {"en-GB", "de-DE", "fr-FR", "en-US", "nl-NL"};

  /** Stands for a messageId in a template until the real id is written over it. */
  private static final String ID_PLACEHOLDER = "#".repeat(36);

  /** Where the sequence number goes in a messageId: its last 12 characters. */
  private static final int SEQUENCE_DIGITS = 12;

  private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

  private final Random random;
  private final String runPrefix;

  /** Events drawn from {@code seed}; messageIds start with {@code runPrefix} (8 hex digits). */
  public SegmentPayloads(long seed, int runPrefix) {
    this.random = new Random(seed);
    this.runPrefix = String.format("%08x-0000-4000-8000-", runPrefix);
  }

  /** The messageId of event number {@code sequence} of this run. */
  public String messageId(long sequence) {
    byte[] id = (runPrefix + "0".repeat(SEQUENCE_DIGITS)).getBytes(StandardCharsets.US_ASCII);
    writeSequence(id, 0, sequence);
    return new String(id, StandardCharsets.US_ASCII);
  }

  /** A {@code /v1/batch} body of {@code events} new events, whose messageIds a caller fills in. */
  public BatchTemplate batch(int events) {
    ObjectNode body = JSON.createObjectNode();
    ArrayNode batch = body.putArray("batch");
    for (int i = 0; i < events; i++) {
      batch.add(event(ID_PLACEHOLDER));
    }
    body.put("sentAt", Instant.now().toString());
    byte[] bytes = write(body);
    int[] idOffsets = new int[events];
    byte[] placeholder = ID_PLACEHOLDER.getBytes(StandardCharsets.US_ASCII);
    // The run prefix goes in once; writeIds then only changes the sequence digits.
    byte[] firstId = messageId(0).getBytes(StandardCharsets.US_ASCII);
    int from = 0;
    for (int i = 0; i < events; i++) {
      idOffsets[i] = indexOf(bytes, placeholder, from);
      from = idOffsets[i] + placeholder.length;
      System.arraycopy(firstId, 0, bytes, idOffsets[i], firstId.length);
    }
    return new BatchTemplate(bytes, idOffsets);
  }

  /** A Kafka record of {@code cdp.events.raw}: its key and its serialized value. */
  public record KeyedRecord(String key, byte[] value) {}

  /**
   * {@code count} new events as the collector writes them to {@code cdp.events.raw} for source
   * {@code sourceId}: normalised JSON (with {@code receivedAt} and {@code originalTimestamp}) in a
   * {@link RawEvent}, keyed by user id, else anonymous id.
   */
  public List<KeyedRecord> rawRecords(int count, String sourceId) {
    List<KeyedRecord> records = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      RawEvent raw = raw(event(messageId(i)), sourceId, Instant.now());
      String key = raw.getUserId().isEmpty() ? raw.getAnonymousId() : raw.getUserId();
      records.add(new KeyedRecord(key, raw.toByteArray()));
    }
    return records;
  }

  /**
   * {@code event} as the collector writes it for source {@code sourceId} when it accepted it at
   * {@code receivedAt}: normalised JSON (with {@code receivedAt} and {@code originalTimestamp}) in
   * a {@link RawEvent}.
   */
  static RawEvent raw(ObjectNode event, String sourceId, Instant receivedAt) {
    event.put("originalTimestamp", event.get("timestamp").asText());
    event.put("receivedAt", receivedAt.toString());
    return RawEvent.newBuilder()
        .setMessageId(event.get("messageId").asText())
        .setSourceId(sourceId)
        .setType(event.get("type").asText())
        .setEvent(event.path("event").asText(""))
        .setUserId(event.path("userId").asText(""))
        .setAnonymousId(event.path("anonymousId").asText(""))
        .setTimestamp(ProtoTime.timestamp(Instant.parse(event.get("timestamp").asText())))
        .setReceivedAt(ProtoTime.timestamp(receivedAt))
        .setPayloadJson(ByteString.copyFrom(write(event)))
        .build();
  }

  /** One event with the given messageId. */
  ObjectNode event(String messageId) {
    int kind = random.nextInt(10);
    String type = kind < 6 ? "track" : kind < 9 ? "page" : "identify";
    boolean known = type.equals("identify") || random.nextInt(3) == 0;
    int user = random.nextInt(1_000_000);
    String product = PRODUCTS[random.nextInt(PRODUCTS.length)];
    String sku = "sku-" + (10_000 + random.nextInt(90_000));

    ObjectNode event = JSON.createObjectNode();
    event.put("type", type);
    if (known) {
      event.put("userId", "user-" + user);
    } else {
      event.put("anonymousId", new UUID(random.nextLong(), random.nextLong()).toString());
    }
    event.put("messageId", messageId);
    event.put("timestamp", Instant.now().minusMillis(random.nextInt(5_000)).toString());
    switch (type) {
      case "track" -> {
        event.put("event", TRACK_EVENTS[random.nextInt(TRACK_EVENTS.length)]);
        ObjectNode properties = event.putObject("properties");
        properties.put("product_id", sku);
        properties.put("name", product);
        properties.put("price", 10 + random.nextInt(290) + 0.99);
        properties.put("currency", "EUR");
      }
      case "page" -> {
        event.put("name", product);
        event.putObject("properties").put("path", "/products/" + sku).put("title", product);
      }
      default -> {
        ObjectNode traits = event.putObject("traits");
        traits.put("email", "user-" + user + "@example.com");
        traits.put("firstName", "Ann");
        traits.put("plan", random.nextBoolean() ? "free" : "plus");
      }
    }
    ObjectNode context = event.putObject("context");
    context.putObject("library").put("name", "analytics.js").put("version", "5.2.0");
    context.put("ip", "203.0.113." + random.nextInt(255));
    context.put("locale", LOCALES[random.nextInt(LOCALES.length)]);
    context.put("userAgent", USER_AGENTS[random.nextInt(USER_AGENTS.length)]);
    context
        .putObject("page")
        .put("url", "https://shop.example.com/products/" + sku)
        .put("referrer", "https://www.google.com/");
    return event;
  }

  /**
   * A {@code /v1/batch} body whose messageIds are rewritten in place for each request, so sending
   * it again and again costs the client almost nothing.
   */
  public static final class BatchTemplate {

    private final byte[] body;
    private final int[] idOffsets;

    BatchTemplate(byte[] body, int[] idOffsets) {
      this.body = body;
      this.idOffsets = idOffsets;
    }

    public int events() {
      return idOffsets.length;
    }

    /** The body's length in bytes. */
    public int size() {
      return body.length;
    }

    /** A copy of the body, for one sender to rewrite with {@link #writeIds}. */
    public byte[] newBody() {
      return body.clone();
    }

    /** Gives the events of {@code body} the messageIds of batch number {@code batch} of the run. */
    public void writeIds(byte[] body, long batch) {
      long first = batch * idOffsets.length;
      for (int i = 0; i < idOffsets.length; i++) {
        writeSequence(body, idOffsets[i], first + i);
      }
    }
  }

  /** Writes {@code sequence} as the last 12 hex digits of the messageId at {@code offset}. */
  private static void writeSequence(byte[] target, int offset, long sequence) {
    int end = offset + ID_PLACEHOLDER.length();
    for (int i = 1; i <= SEQUENCE_DIGITS; i++) {
      target[end - i] = HEX[(int) (sequence >>> (4 * (i - 1))) & 0xf];
    }
  }

  private static int indexOf(byte[] bytes, byte[] part, int from) {
    outer:
    for (int i = from; i <= bytes.length - part.length; i++) {
      for (int j = 0; j < part.length; j++) {
        if (bytes[i + j] != part[j]) {
          continue outer;
        }
      }
      return i;
    }
    throw new IllegalStateException("Placeholder not found");
  }

  private static byte[] write(ObjectNode node) {
    try {
      return JSON.writeValueAsBytes(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
