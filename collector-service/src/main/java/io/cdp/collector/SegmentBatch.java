package io.cdp.collector;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdp.collector.EventBatch.Accepted;
import io.cdp.common.rest.ApiException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The fast path of {@code /v1/batch}: the body is read as a token stream, not as a tree, and each
 * event's JSON for Kafka is the event's own bytes from the request with only {@code timestamp},
 * {@code originalTimestamp} and {@code receivedAt} rewritten (and a missing {@code messageId} or
 * the batch's shared {@code context} added), instead of a re-serialised tree. Parsing, building and
 * writing a tree per event was most of the collector's CPU.
 *
 * <p>It gives exactly {@link SegmentEvents#normalise}'s result or nothing: an event that is unusual
 * in any way (a {@code writeKey}, a numeric id, a repeated field, an odd timestamp...) goes through
 * the tree normalisation on its own, and a body it cannot accept as a whole (malformed JSON, a bad
 * event, too many events) gets {@code null}, so that the general path answers it, with the same
 * error as ever.
 */
public final class SegmentBatch {

  /** The checked events of a batch body, and the body's {@code writeKey} (or null). */
  public record Read(List<Accepted> events, String writeKey) {}

  /** A strict parser: a body using any JSON extension the service's mapper may allow goes slow. */
  private static final JsonFactory STRICT = JsonFactory.builder().build();

  private static final byte[] TIMESTAMP = field("timestamp");
  private static final byte[] ORIGINAL_TIMESTAMP = field("originalTimestamp");
  private static final byte[] RECEIVED_AT = field("receivedAt");
  private static final byte[] MESSAGE_ID = field("messageId");
  private static final byte[] CONTEXT = field("context");
  private static final byte[] COMMA = {','};
  private static final byte[] CLOSE = {'}'};

  // The top-level fields of an event that decide its normalisation, as bits (to see repeats).
  private static final int TYPE = 1;
  private static final int USER_ID = 1 << 1;
  private static final int ANONYMOUS_ID = 1 << 2;
  private static final int EVENT = 1 << 3;
  private static final int PREVIOUS_ID = 1 << 4;
  private static final int GROUP_ID = 1 << 5;
  private static final int MESSAGE_ID_BIT = 1 << 6;
  private static final int TIMESTAMP_BIT = 1 << 7;
  private static final int ORIGINAL_TIMESTAMP_BIT = 1 << 8;
  private static final int SENT_AT = 1 << 9;
  private static final int RECEIVED_AT_BIT = 1 << 10;
  private static final int CONTEXT_BIT = 1 << 11;
  private static final int PROPERTIES = 1 << 12;
  private static final int TRAITS = 1 << 13;
  private static final int INTEGRATIONS = 1 << 14;
  private static final int SLOW = 1 << 30; // the tree normalisation must decide

  private SegmentBatch() {}

  /** Whether {@code json} reads JSON as the strict fast path does (Jackson's defaults). */
  public static boolean applies(ObjectMapper json) {
    return !json.isEnabled(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
        && !json.getFactory().isEnabled(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
  }

  /**
   * The events of the batch {@code body} received at {@code receivedAt}, normalised, or null when
   * the general path must answer the body.
   */
  public static Read read(
      byte[] body, Instant receivedAt, EventBatch.Limits limits, ObjectMapper json) {
    try (JsonParser p = STRICT.createParser(body)) {
      return read(p, body, receivedAt, limits, json);
    } catch (IOException | RuntimeException e) {
      return null; // malformed, or something unforeseen: the general path decides
    }
  }

  private static Read read(
      JsonParser p, byte[] body, Instant receivedAt, EventBatch.Limits limits, ObjectMapper json)
      throws IOException {
    if (p.nextToken() != JsonToken.START_OBJECT) {
      return null;
    }
    List<Scanned> events = null;
    String sentAt = null;
    String writeKey = null;
    int contextFrom = -1;
    int contextTo = -1;
    int seen = 0;
    for (JsonToken t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
      String name = p.currentName();
      JsonToken value = p.nextToken();
      int bit =
          switch (name) {
            case "batch" -> 1;
            case "sentAt" -> 2;
            case "context" -> 4;
            case "writeKey" -> 8;
            default -> 0;
          };
      if ((seen & bit) != 0) {
        return null; // a repeated field: the tree keeps the last one
      }
      seen |= bit;
      switch (name) {
        case "batch" -> {
          if (value != JsonToken.START_ARRAY) {
            return null;
          }
          events = new ArrayList<>(128);
          for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) {
            if (e != JsonToken.START_OBJECT || events.size() == limits.maxEvents()) {
              return null;
            }
            events.add(scan(p, body));
          }
        }
        case "sentAt" -> {
          sentAt = textOrNull(p, value);
          p.skipChildren();
        }
        case "context" -> {
          if (value == JsonToken.START_OBJECT) {
            contextFrom = offset(p, body, '{');
            p.skipChildren();
            contextTo = offset(p, body, '}') + 1;
          } else {
            p.skipChildren();
          }
        }
        case "writeKey" -> {
          writeKey = textOrNull(p, value);
          p.skipChildren();
        }
        default -> p.skipChildren();
      }
    }
    if (events == null || p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
      return null;
    }

    Instant batchSentAt = null;
    boolean badSentAt = false;
    if (sentAt != null) {
      try {
        batchSentAt = IsoInstants.parse(sentAt);
      } catch (DateTimeParseException e) {
        badSentAt = true;
      }
    }
    byte[] received = IsoInstants.quotedJson(receivedAt);
    List<Accepted> accepted = new ArrayList<>(events.size());
    for (Scanned event : events) {
      Accepted one =
          (event.bits & SLOW) == 0 && !(badSentAt && event.sentAt == null)
              ? normalise(event, body, batchSentAt, receivedAt, received, contextFrom, contextTo)
              : null;
      if (one == null || one.payload().length > limits.maxEventBytes()) {
        one = normaliseTree(event, body, sentAt, contextFrom, contextTo, receivedAt, limits, json);
        if (one == null) {
          return null;
        }
      }
      accepted.add(one);
    }
    return new Read(accepted, writeKey);
  }

  /** What one event's tokens said: its place in the body and the fields that matter. */
  private static final class Scanned {
    int from; // the event's '{'
    int to; // its '}'
    int bits;
    String type;
    String userId;
    String anonymousId;
    String event;
    String messageId;
    String timestamp;
    String originalTimestamp;
    String sentAt;
    // [from, to) of whole fields ("name": value) that are rewritten in place, or -1
    int timestampFrom = -1;
    int timestampTo;
    int originalFrom = -1;
    int originalTo;
    int receivedFrom = -1;
    int receivedTo;
  }

  /** Reads one event, the parser on its START_OBJECT; leaves it on the event's END_OBJECT. */
  private static Scanned scan(JsonParser p, byte[] body) throws IOException {
    Scanned s = new Scanned();
    s.from = offset(p, body, '{');
    JsonToken t = p.nextToken();
    while (t == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      // Only the fields rewritten in place need their place in the body (a location is an object)
      boolean rewritten =
          name.equals("timestamp") || name.equals("originalTimestamp") || name.equals("receivedAt");
      int fieldFrom = rewritten ? offset(p, body, '"') : -1;
      JsonToken value = p.nextToken();
      int bit = 0;
      switch (name) {
        case "type" -> {
          bit = TYPE;
          s.type = textOrNull(p, value);
          if (s.type == null || !SegmentEvents.TYPES.contains(s.type)) {
            bit |= SLOW;
          }
        }
        case "userId" -> {
          bit = USER_ID | idCheck(value);
          s.userId = textOrNull(p, value);
        }
        case "anonymousId" -> {
          bit = ANONYMOUS_ID | idCheck(value);
          s.anonymousId = textOrNull(p, value);
        }
        case "event" -> {
          bit = EVENT;
          s.event = textOrNull(p, value);
        }
        case "previousId" -> bit = PREVIOUS_ID | (textOrNull(p, value) == null ? SLOW : 0);
        case "groupId" -> bit = GROUP_ID | (textOrNull(p, value) == null ? SLOW : 0);
        case "messageId" -> {
          bit = MESSAGE_ID_BIT;
          s.messageId = textOrNull(p, value);
          if (s.messageId == null) {
            bit |= SLOW; // null or empty: replaced in place by the tree
          }
        }
        case "timestamp" -> {
          bit = TIMESTAMP_BIT | timeCheck(value);
          s.timestamp = timeOrNull(p, value);
        }
        case "originalTimestamp" -> {
          bit = ORIGINAL_TIMESTAMP_BIT | timeCheck(value);
          s.originalTimestamp = timeOrNull(p, value);
        }
        case "sentAt" -> {
          bit = SENT_AT | timeCheck(value);
          s.sentAt = timeOrNull(p, value);
        }
        case "receivedAt" -> bit = RECEIVED_AT_BIT;
        case "context" -> bit = CONTEXT_BIT | objectCheck(value);
        case "properties" -> bit = PROPERTIES | objectCheck(value);
        case "traits" -> bit = TRAITS | objectCheck(value);
        case "integrations" -> bit = INTEGRATIONS | objectCheck(value);
        case "writeKey" -> bit = SLOW;
        default -> {}
      }
      if ((s.bits & bit & ~SLOW) != 0) {
        bit |= SLOW; // a repeated field: the tree keeps the last value
      }
      s.bits |= bit;
      p.skipChildren();
      t = p.nextToken();
      if (!rewritten) {
        continue;
      }
      int fieldTo = end(body, offset(p, body, t == JsonToken.FIELD_NAME ? '"' : '}'));
      switch (name) {
        case "timestamp" -> {
          s.timestampFrom = fieldFrom;
          s.timestampTo = fieldTo;
        }
        case "originalTimestamp" -> {
          s.originalFrom = fieldFrom;
          s.originalTo = fieldTo;
        }
        case "receivedAt" -> {
          s.receivedFrom = fieldFrom;
          s.receivedTo = fieldTo;
        }
        default -> {}
      }
    }
    s.to = offset(p, body, '}');
    return s;
  }

  /**
   * {@link SegmentEvents#normalise} for an event whose fields are all plain, or null when it has to
   * decide.
   */
  private static Accepted normalise(
      Scanned s,
      byte[] body,
      Instant batchSentAt,
      Instant receivedAt,
      byte[] received,
      int contextFrom,
      int contextTo) {
    if (s.type == null || (s.userId == null && s.anonymousId == null)) {
      return null;
    }
    if ((s.type.equals("track") && s.event == null)
        || (s.type.equals("alias") && (s.bits & PREVIOUS_ID) == 0)
        || (s.type.equals("group") && (s.bits & GROUP_ID) == 0)) {
      return null;
    }
    Instant timestamp;
    Instant sentAt;
    try {
      String given = s.timestamp != null ? s.timestamp : s.originalTimestamp;
      timestamp = given == null ? null : IsoInstants.parse(given);
      sentAt = s.sentAt != null ? IsoInstants.parse(s.sentAt) : batchSentAt;
    } catch (DateTimeParseException e) {
      return null;
    }
    Instant corrected = timestamp == null ? receivedAt : timestamp;
    if (timestamp != null && sentAt != null) {
      corrected = timestamp.plus(Duration.between(sentAt, receivedAt));
    }
    byte[] original = timestamp == null ? null : IsoInstants.quotedJson(timestamp);
    byte[] fixed = IsoInstants.quotedJson(corrected);
    String messageId = s.messageId;
    byte[] newId = null;
    if (messageId == null) {
      messageId = UUID.randomUUID().toString();
      newId = quoted(messageId);
    }

    // Measured first, then written into an array of exactly that size: no copy at the end
    Out size = new Out(null);
    write(size, s, body, fixed, original, received, newId, contextFrom, contextTo);
    Out out = new Out(new byte[size.length]);
    write(out, s, body, fixed, original, received, newId, contextFrom, contextTo);
    return new Accepted(
        messageId, s.type, s.event, s.userId, s.anonymousId, out.bytes, corrected, receivedAt);
  }

  /** The event's JSON with its rewritten and added fields, into {@code out}. */
  private static void write(
      Out out,
      Scanned s,
      byte[] body,
      byte[] fixed,
      byte[] original,
      byte[] received,
      byte[] newId,
      int contextFrom,
      int contextTo) {
    // Rewritten fields keep their place, as in the tree; new ones go last, in the tree's order.
    // The event has at least its type, so an added field always follows a comma.
    byte[][] names = {TIMESTAMP, ORIGINAL_TIMESTAMP, RECEIVED_AT};
    byte[][] values = {fixed, original, received};
    int[] from = {s.timestampFrom, original == null ? -1 : s.originalFrom, s.receivedFrom};
    int[] to = {s.timestampTo, s.originalTo, s.receivedTo};
    // (a null originalTimestamp without any timestamp stays as it is)
    int at = s.from;
    for (int field : inOrder(from)) {
      if (from[field] >= 0) {
        out.write(body, at, from[field]).field(names[field]).write(values[field]);
        at = to[field];
      }
    }
    out.write(body, at, s.to);
    if (newId != null) {
      out.added(MESSAGE_ID).write(newId);
    }
    if (original != null && s.originalFrom < 0) {
      out.added(ORIGINAL_TIMESTAMP).write(original);
    }
    if (s.timestampFrom < 0) {
      out.added(TIMESTAMP).write(fixed);
    }
    if (s.receivedFrom < 0) {
      out.added(RECEIVED_AT).write(received);
    }
    if ((s.bits & CONTEXT_BIT) == 0 && contextFrom >= 0) {
      out.added(CONTEXT).write(body, contextFrom, contextTo);
    }
    out.write(CLOSE);
  }

  /** The indexes of three positions, in ascending order of position. */
  private static int[] inOrder(int[] positions) {
    int[] order = {0, 1, 2};
    for (int i = 1; i < 3; i++) {
      for (int j = i; j > 0 && positions[order[j]] < positions[order[j - 1]]; j--) {
        int swap = order[j];
        order[j] = order[j - 1];
        order[j - 1] = swap;
      }
    }
    return order;
  }

  /** The general normalisation of one event, or null if it refuses it (the whole batch goes). */
  private static Accepted normaliseTree(
      Scanned s,
      byte[] body,
      String sentAt,
      int contextFrom,
      int contextTo,
      Instant receivedAt,
      EventBatch.Limits limits,
      ObjectMapper json) {
    try {
      JsonNode event = json.readTree(body, s.from, s.to + 1 - s.from);
      JsonNode context =
          contextFrom < 0 ? null : json.readTree(body, contextFrom, contextTo - contextFrom);
      return EventBatch.check(
              new EventBatch.Request(List.of(event), null, sentAt, context),
              receivedAt,
              limits,
              json)
          .get(0);
    } catch (IOException | ApiException e) {
      return null;
    }
  }

  private static int idCheck(JsonToken value) {
    return value == JsonToken.VALUE_STRING || value == JsonToken.VALUE_NULL ? 0 : SLOW;
  }

  private static int timeCheck(JsonToken value) {
    return value == JsonToken.VALUE_STRING || value == JsonToken.VALUE_NULL ? 0 : SLOW;
  }

  /** A time field's text, or null for JSON null (an empty string stays: it is refused). */
  private static String timeOrNull(JsonParser p, JsonToken value) throws IOException {
    return value == JsonToken.VALUE_STRING ? p.getText() : null;
  }

  private static int objectCheck(JsonToken value) {
    return value == JsonToken.START_OBJECT || value == JsonToken.VALUE_NULL ? 0 : SLOW;
  }

  /** {@link SegmentEvents#textOrNull} on the current value. */
  private static String textOrNull(JsonParser p, JsonToken value) throws IOException {
    if (value != JsonToken.VALUE_STRING) {
      return null;
    }
    String text = p.getText();
    return text.isEmpty() ? null : text;
  }

  /** Where the current token starts in the body (checked: the output is cut at these places). */
  private static int offset(JsonParser p, byte[] body, char first) {
    long offset = p.currentTokenLocation().getByteOffset();
    if (offset < 0 || offset >= body.length || body[(int) offset] != first) {
      throw new IllegalStateException("Token at " + offset + " is not '" + first + "'");
    }
    return (int) offset;
  }

  /**
   * The end of a field's value, given where the next token starts: before the whitespace and the
   * comma between them.
   */
  private static int end(byte[] body, int next) {
    int i = next;
    while (i > 0 && isSpace(body[i - 1])) {
      i--;
    }
    if (i > 0 && body[i - 1] == ',') {
      i--;
      while (i > 0 && isSpace(body[i - 1])) {
        i--;
      }
    }
    return i;
  }

  private static boolean isSpace(byte b) {
    return b == ' ' || b == '\n' || b == '\r' || b == '\t';
  }

  private static byte[] field(String name) {
    return ('"' + name + "\":").getBytes(StandardCharsets.US_ASCII);
  }

  /** A string value that needs no escaping (an ISO instant, a UUID), quoted. */
  private static byte[] quoted(String text) {
    return ('"' + text + '"').getBytes(StandardCharsets.US_ASCII);
  }

  /** The bytes of one event's JSON as they are put together; without an array, only counted. */
  private static final class Out {
    private final byte[] bytes;
    private int length;

    Out(byte[] bytes) {
      this.bytes = bytes;
    }

    Out write(byte[] from, int start, int end) {
      if (bytes != null) {
        System.arraycopy(from, start, bytes, length, end - start);
      }
      length += end - start;
      return this;
    }

    Out write(byte[] from) {
      return write(from, 0, from.length);
    }

    /** Starts a field ("name":) */
    Out field(byte[] name) {
      return write(name);
    }

    /** Starts a field after the last one. */
    Out added(byte[] name) {
      return write(COMMA).write(name);
    }
  }
}
