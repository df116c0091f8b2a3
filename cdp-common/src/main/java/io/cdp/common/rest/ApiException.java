package io.cdp.common.rest;

import java.util.List;

/**
 * A request the API refuses, rendered as API.md's error body: {@code {"error": {"code", "message",
 * "field"}}}. Thrown before anything is changed, so a refused request changes nothing.
 */
public class ApiException extends RuntimeException {

  private final int status;
  private final String code;
  private final String field;
  private final List<ApiError.Part> details;

  public ApiException(
      int status, String code, String message, String field, List<ApiError.Part> details) {
    super(message);
    this.status = status;
    this.code = code;
    this.field = field;
    this.details = details;
  }

  public ApiException(int status, String code, String message, String field) {
    this(status, code, message, field, null);
  }

  public ApiException(int status, String code, String message) {
    this(status, code, message, null);
  }

  /** 400: the request is malformed or a value has the wrong type. */
  public static ApiException badRequest(String code, String message, String field) {
    return new ApiException(400, code, message, field);
  }

  /** 404: no such id. */
  public static ApiException notFound(String what) {
    return new ApiException(404, "not_found", what + " not found");
  }

  /** 422: a rule or definition that cannot be used. */
  public static ApiException invalid(String code, String message, String field) {
    return new ApiException(422, code, message, field);
  }

  public int status() {
    return status;
  }

  public String code() {
    return code;
  }

  public String field() {
    return field;
  }

  public List<ApiError.Part> details() {
    return details;
  }

  /** The body this exception is rendered as. */
  public ApiError body() {
    return new ApiError(new ApiError.Detail(code, getMessage(), field, details));
  }
}
