package io.cdp.common.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Turns every failure of a REST call into API.md's JSON error with the right status. */
public class ApiErrorMappers {

  private static final Logger LOG = Logger.getLogger(ApiErrorMappers.class);

  @ServerExceptionMapper
  public Response apiException(ApiException e) {
    return Response.status(e.status())
        .type(MediaType.APPLICATION_JSON_TYPE)
        .entity(e.body())
        .build();
  }

  /** A body that is not JSON, or JSON of the wrong shape. */
  @ServerExceptionMapper
  public Response malformedJson(JsonProcessingException e) {
    if (e instanceof MismatchedInputException mismatch && !mismatch.getPath().isEmpty()) {
      String field =
          mismatch.getPath().stream()
              .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "" + ref.getIndex())
              .collect(Collectors.joining("."));
      String code = e instanceof InvalidFormatException ? "invalid_value" : "wrong_type";
      return response(400, code, "Field '" + field + "' has the wrong type or value", field);
    }
    return response(
        400, "malformed_json", "The body is not valid JSON: " + e.getOriginalMessage(), null);
  }

  /** Framework errors (404 for unknown paths, 405, 415...) keep their status. */
  @ServerExceptionMapper
  public Response webApplication(WebApplicationException e) {
    int status = e.getResponse().getStatus();
    if (e.getCause() instanceof JsonProcessingException json) {
      return malformedJson(json);
    }
    String code =
        switch (status) {
          case 400 -> "bad_request";
          case 401 -> "unauthorized";
          case 403 -> "forbidden";
          case 404 -> "not_found";
          case 405 -> "method_not_allowed";
          case 406 -> "not_acceptable";
          case 413 -> "too_large";
          case 415 -> "unsupported_media_type";
          default -> "http_" + status;
        };
    return response(status, code, e.getMessage(), null);
  }

  @ServerExceptionMapper
  public Response unexpected(RuntimeException e) {
    LOG.error("Unexpected failure", e);
    return response(500, "internal_error", "Internal error; see the service log", null);
  }

  public static Response response(int status, String code, String message, String field) {
    return Response.status(status)
        .type(MediaType.APPLICATION_JSON_TYPE)
        .entity(ApiError.of(code, message, field))
        .build();
  }
}
