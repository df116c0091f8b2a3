package io.cdp.connector;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * What a {@code crm} connector asks of the CRM for a delivery: the profile's record is upserted
 * when the profile joins (or is in) the audience or an event fires, and deleted when it leaves the
 * audience or the person is erased. The record is addressed as {@code <config.url>/<profileId>};
 * the body is the signed delivery JSON with {@code "action"}. See docs/api.md.
 */
public enum CrmAction {
  UPSERT("upsert", "PUT"),
  DELETE("delete", "DELETE");

  private final String wireName;
  private final String method;

  CrmAction(String wireName, String method) {
    this.wireName = wireName;
    this.method = method;
  }

  /** The {@code action} of the body. */
  public String wireName() {
    return wireName;
  }

  /** The HTTP method of the call. */
  public String method() {
    return method;
  }

  /** The action a delivery caused by {@code source} asks for. */
  public static CrmAction of(DeliverySource source) {
    boolean leaving =
        source.trigger() != null && TriggerOn.LEFT.wireName().equals(source.trigger().on());
    return source.isErasure() || leaving ? DELETE : UPSERT;
  }

  /** The URL of {@code profileId}'s record under the connector's {@code baseUrl}. */
  public static String recordUrl(String baseUrl, String profileId) {
    String base = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    return base + "/" + URLEncoder.encode(profileId, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
