package io.cdp.common.rest;

import com.fasterxml.jackson.annotation.JsonInclude;

/** The error body of every refused request (API.md). */
public record ApiError(Detail error) {

  /** {@code field} is omitted when the error is not about one field. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Detail(String code, String message, String field) {}

  public static ApiError of(String code, String message, String field) {
    return new ApiError(new Detail(code, message, field));
  }
}
