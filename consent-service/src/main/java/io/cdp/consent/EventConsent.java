package io.cdp.consent;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Consent carried in events: Segment's {@code context.consent.categoryPreferences} ({@code
 * {"Advertising": false, ...}}), with category names mapped to purposes by configuration ({@code
 * cdp.consent.categories.<category>=<purpose>}, compared case-insensitively). Categories that map
 * to no purpose are ignored; when several categories map to one purpose, it is granted only if all
 * of them are, so a "no" is never outvoted. Pure: no I/O.
 */
public final class EventConsent {

  private final Map<String, String> purposeByCategory = new TreeMap<>();

  public EventConsent(Map<String, String> categories) {
    categories.forEach(
        (category, purpose) -> purposeByCategory.put(category.toLowerCase(Locale.ROOT), purpose));
  }

  /** The purpose choices an event carries; empty when it carries none this service knows. */
  public Map<String, Boolean> choices(JsonNode event) {
    JsonNode preferences = event.path("context").path("consent").path("categoryPreferences");
    Map<String, Boolean> choices = new TreeMap<>();
    if (!preferences.isObject()) {
      return choices;
    }
    preferences
        .fields()
        .forEachRemaining(
            category -> {
              String purpose = purposeByCategory.get(category.getKey().toLowerCase(Locale.ROOT));
              if (purpose != null && category.getValue().isBoolean()) {
                choices.merge(purpose, category.getValue().booleanValue(), Boolean::logicalAnd);
              }
            });
    return choices;
  }
}
