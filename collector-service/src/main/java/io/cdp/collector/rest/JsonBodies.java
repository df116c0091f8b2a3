package io.cdp.collector.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdp.collector.config.CollectorConfig;
import io.cdp.common.rest.ApiException;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;

/**
 * Parses ingestion bodies. Endpoints take the body as bytes so that any content type works (a
 * browser's {@code sendBeacon} sends {@code text/plain}) and so that the request limit also holds
 * for what a gzip body inflates to, which no Content-Length announces.
 */
@ApplicationScoped
public class JsonBodies {

  private final ObjectMapper json;
  private final long maxBytes;

  public JsonBodies(ObjectMapper json, CollectorConfig config) {
    this.json = json;
    this.maxBytes = config.maxRequestSize().asLongValue();
  }

  /** The JSON of {@code body}: 413 {@code request_too_large}, 400 {@code malformed_json}. */
  public JsonNode parse(byte[] body) throws IOException {
    return json.readTree(limit(body));
  }

  /** {@code body} if it may be parsed: 413 {@code request_too_large}, 400 if empty. */
  public byte[] limit(byte[] body) {
    if (body != null && body.length > maxBytes) {
      throw tooLarge(maxBytes);
    }
    if (body == null || body.length == 0) {
      throw ApiException.badRequest("malformed_json", "The body is empty", null);
    }
    return body;
  }

  /** The error of a request above the limit. */
  static ApiException tooLarge(long maxBytes) {
    return new ApiException(
        413, "request_too_large", "A request may be at most " + maxBytes + " bytes", null);
  }
}
