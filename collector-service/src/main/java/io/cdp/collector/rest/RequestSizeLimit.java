package io.cdp.collector.rest;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdp.collector.config.CollectorConfig;
import io.cdp.common.rest.ApiError;
import io.quarkus.vertx.http.runtime.RouteConstants;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Refuses a request whose Content-Length exceeds {@code cdp.collector.max-request-size} with
 * API.md's JSON error, before Quarkus' own, higher limit (which answers an empty 413) is even
 * consulted. The body is read and discarded so the client, still sending, gets the answer instead
 * of a broken pipe. Bodies without a Content-Length (chunked, gzip) are measured by {@link
 * JsonBodies}.
 */
@ApplicationScoped
public class RequestSizeLimit {

  private final long maxBytes;
  private final Buffer error;

  public RequestSizeLimit(ObjectMapper json, CollectorConfig config) throws Exception {
    this.maxBytes = config.maxRequestSize().asLongValue();
    ApiError body = JsonBodies.tooLarge(maxBytes).body();
    this.error = Buffer.buffer(json.writeValueAsBytes(body));
  }

  void install(@Observes Router router) {
    router.route().order(RouteConstants.ROUTE_ORDER_UPLOAD_LIMIT - 1).handler(this::check);
  }

  private void check(RoutingContext context) {
    HttpServerRequest request = context.request();
    String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (length == null || !tooLong(length)) {
      context.next();
      return;
    }
    if (!request.isEnded()) {
      request.handler(ignored -> {});
      request.resume();
    }
    context
        .response()
        .setStatusCode(413)
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(error);
  }

  private boolean tooLong(String length) {
    try {
      return Long.parseLong(length.trim()) > maxBytes;
    } catch (NumberFormatException e) {
      return false; // Vert.x refuses a malformed Content-Length itself
    }
  }
}
