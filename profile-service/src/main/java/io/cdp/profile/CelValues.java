package io.cdp.profile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.common.primitives.UnsignedLong;
import com.google.protobuf.NullValue;
import com.google.protobuf.Timestamp;
import io.cdp.contracts.ProtoTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Converts between JSON (how profiles and events are kept) and the plain Java values CEL reads and
 * returns. JSON numbers become doubles, as in the audience service, so a rule reads the same
 * numbers wherever it runs; numbers written back are stored as integers when they are whole.
 */
public final class CelValues {

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final double MAX_EXACT = 9_007_199_254_740_992d; // 2^53

  /** A JSON value as CEL reads it: maps, lists, doubles, strings, booleans, null. */
  public static Object toCel(JsonNode node) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      return NullValue.NULL_VALUE;
    }
    if (node.isObject()) {
      Map<String, Object> map = new LinkedHashMap<>();
      Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> field = fields.next();
        map.put(field.getKey(), toCel(field.getValue()));
      }
      return map;
    }
    if (node.isArray()) {
      List<Object> list = new ArrayList<>(node.size());
      node.forEach(element -> list.add(toCel(element)));
      return list;
    }
    if (node.isNumber()) {
      return node.asDouble();
    }
    if (node.isBoolean()) {
      return node.asBoolean();
    }
    return node.asText();
  }

  /** A CEL result as JSON; timestamps become ISO-8601 text. */
  public static JsonNode toJson(Object value) {
    if (value == null || value instanceof NullValue) {
      return NODES.nullNode();
    }
    if (value instanceof Map<?, ?> map) {
      ObjectNode object = NODES.objectNode();
      map.forEach((key, element) -> object.set(String.valueOf(key), toJson(element)));
      return object;
    }
    if (value instanceof Collection<?> collection) {
      ArrayNode array = NODES.arrayNode();
      collection.forEach(element -> array.add(toJson(element)));
      return array;
    }
    if (value instanceof Boolean bool) {
      return NODES.booleanNode(bool);
    }
    if (value instanceof String text) {
      return NODES.textNode(text);
    }
    if (value instanceof Instant || value instanceof Timestamp) {
      return NODES.textNode(instant(value).toString());
    }
    Double number = asNumber(value);
    return number != null ? numberNode(number) : NODES.textNode(String.valueOf(value));
  }

  /** A number as JSON: an integer when it is whole and exact, a double otherwise. */
  public static JsonNode numberNode(double value) {
    if (value == Math.rint(value) && Math.abs(value) <= MAX_EXACT) {
      return NODES.numberNode((long) value);
    }
    return NODES.numberNode(value);
  }

  /** {@code value} as a double if CEL returned a number, else null. */
  public static Double asNumber(Object value) {
    if (value instanceof UnsignedLong unsigned) {
      return unsigned.doubleValue();
    }
    if (value instanceof Number number) {
      return number.doubleValue();
    }
    return null;
  }

  /** {@code value} as text if it is a scalar (string, number, bool), else null. */
  public static String text(Object value) {
    if (value instanceof String text) {
      return text;
    }
    if (value instanceof Boolean) {
      return value.toString();
    }
    Double number = asNumber(value);
    return number == null ? null : numberNode(number).asText();
  }

  /** {@code value} as an instant if it is a timestamp or ISO-8601 text, else null. */
  public static Instant instant(Object value) {
    if (value instanceof Instant instant) {
      return instant;
    }
    if (value instanceof Timestamp timestamp) {
      return ProtoTime.instant(timestamp);
    }
    if (value instanceof String text) {
      try {
        return Instant.parse(text);
      } catch (RuntimeException e) {
        return null;
      }
    }
    return null;
  }

  private CelValues() {}
}
