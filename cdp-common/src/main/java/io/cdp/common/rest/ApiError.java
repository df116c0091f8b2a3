package io.cdp.common.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/** The error body of every refused request (API.md). */
public record ApiError(Detail error) {

  /**
   * {@code field} is omitted when the error is not about one field; {@code details} lists the
   * errors of the parts of a request (e.g. the events of a batch) when there are several.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Detail(String code, String message, String field, List<Part> details) {}

  /** One refused part of a request, by its position. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Part(int index, String code, String message, String field) {}

  public static ApiError of(String code, String message, String field) {
    return new ApiError(new Detail(code, message, field, null));
  }
}
