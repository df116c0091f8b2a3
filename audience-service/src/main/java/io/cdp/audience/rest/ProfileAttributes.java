package io.cdp.audience.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdp.audience.config.AudienceConfig;
import io.cdp.common.VertxContexts;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The attribute definitions of the profile service ({@code GET /v1/attributes} there, with the
 * admin token), read each time a rule naming attributes is saved: saves are rare, and a rule is
 * checked against what is defined at that moment, never against a stale copy.
 */
@ApplicationScoped
public class ProfileAttributes {

  /** The profile service did not answer usably: rules naming attributes cannot be checked now. */
  public static final class UnavailableException extends RuntimeException {
    UnavailableException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private final ObjectMapper json;
  private final URI url;
  private final Duration timeout;
  private final String adminToken;
  private final HttpClient http;

  public ProfileAttributes(
      ObjectMapper json,
      AudienceConfig config,
      @ConfigProperty(name = "cdp.admin-token") String adminToken) {
    this.json = json;
    this.url = URI.create(config.profileUrl().replaceAll("/+$", "") + "/v1/attributes");
    this.timeout = config.profileTimeout();
    this.adminToken = adminToken;
    this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
  }

  /**
   * Attribute name to type name ({@code number}, {@code badge}...), on the caller's Vert.x context.
   * Fails with {@link UnavailableException} when the profile service cannot be reached, answers
   * anything but 200, or answers something that is not a list of definitions.
   */
  public Uni<Map<String, String>> types() {
    HttpRequest request =
        HttpRequest.newBuilder(url)
            .header("Authorization", "Bearer " + adminToken)
            .header("Accept", "application/json")
            .timeout(timeout)
            .GET()
            .build();
    return VertxContexts.onCallerContext(
            () -> http.sendAsync(request, HttpResponse.BodyHandlers.ofString()))
        .onFailure()
        .transform(e -> new UnavailableException("The profile service did not answer: " + e, e))
        .map(this::types);
  }

  private Map<String, String> types(HttpResponse<String> response) {
    if (response.statusCode() != 200) {
      throw new UnavailableException(
          "The profile service answered " + response.statusCode() + " to GET " + url, null);
    }
    JsonNode definitions;
    try {
      definitions = json.readTree(response.body());
    } catch (JsonProcessingException e) {
      throw new UnavailableException("The profile service answered malformed JSON", e);
    }
    if (!definitions.isArray()) {
      throw new UnavailableException("The profile service did not answer a list", null);
    }
    Map<String, String> types = new LinkedHashMap<>();
    definitions.forEach(d -> types.put(d.path("name").asText(), d.path("type").asText()));
    return types;
  }
}
