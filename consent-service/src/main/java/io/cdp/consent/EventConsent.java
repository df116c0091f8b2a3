package io.cdp.consent;

import com.fasterxml.jackson.databind.JsonNode;
import io.cdp.consent.TcfConsent.InvalidTcfException;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.jboss.logging.Logger;

/**
 * Consent carried in events, from three kinds of signal, each mapped to our purposes by
 * configuration:
 *
 * <ul>
 *   <li>Segment's {@code context.consent.categoryPreferences} ({@code {"Advertising": false}}),
 *       categories mapped by {@code cdp.consent.categories.<category>=<purpose>}, compared
 *       case-insensitively; source {@code event}.
 *   <li>An IAB TCF v2 string in {@code context.consent.tcf}, or {@code gdpr_consent} (top level or
 *       in {@code properties}, where Tealium-style events put data-layer fields), mapped by {@link
 *       TcfConsent}; source {@code tcf}. An undecodable string is ignored (and logged).
 *   <li>Google Consent Mode flags in {@code context.consent.googleConsentMode} ({@code
 *       {"ad_storage": "granted", "analytics_storage": "denied"}}), mapped by {@code
 *       cdp.consent.google-consent-mode.<flag>=<purpose>}; values other than {@code granted} or
 *       {@code denied} are ignored; source {@code google_consent_mode}.
 * </ul>
 *
 * <p>When several signals decide one purpose, it is granted only if all of them grant it, so a "no"
 * is never outvoted. The event's {@code context.location.country} is reported too: it decides the
 * defaults of purposes the subject has not chosen (see {@link ConsentPolicy}). Pure: no I/O.
 */
public final class EventConsent {

  private static final Logger LOG = Logger.getLogger(EventConsent.class);

  /** Sources as recorded in the history and on {@code ConsentChange.source}. */
  public static final String CATEGORIES = "event";

  public static final String TCF = "tcf";
  public static final String GOOGLE_CONSENT_MODE = "google_consent_mode";

  /**
   * What an event says: purpose choices (empty if none), where they came from ({@code event},
   * {@code tcf}, {@code google_consent_mode}, or several joined by {@code +}), the TC string if
   * any, and the country if the event names one.
   */
  public record Found(Map<String, Boolean> choices, String source, String tcf, String country) {
    public boolean isEmpty() {
      return choices.isEmpty() && country == null;
    }
  }

  private final Map<String, String> purposeByCategory = new TreeMap<>();
  private final Map<String, String> purposeByGoogleFlag = new TreeMap<>();
  private final TcfConsent tcf;

  public EventConsent(
      Map<String, String> categories, Map<String, String> googleConsentMode, TcfConsent tcf) {
    categories.forEach(
        (category, purpose) -> purposeByCategory.put(category.toLowerCase(Locale.ROOT), purpose));
    googleConsentMode.forEach(
        (flag, purpose) -> purposeByGoogleFlag.put(flag.toLowerCase(Locale.ROOT), purpose));
    this.tcf = tcf;
  }

  /** Everything consent-related an event carries. */
  public Found find(JsonNode event) {
    Map<String, Boolean> choices = new TreeMap<>();
    Set<String> sources = new LinkedHashSet<>();
    if (categories(event, choices)) {
      sources.add(CATEGORIES);
    }
    String tcString = tcString(event);
    if (tcString != null) {
      try {
        tcf.choices(TcfConsent.decode(tcString))
            .forEach((purpose, granted) -> choices.merge(purpose, granted, Boolean::logicalAnd));
        sources.add(TCF);
      } catch (InvalidTcfException e) {
        LOG.debugf("Ignoring an event's TC string: %s", e.getMessage());
        tcString = null;
      }
    }
    if (googleConsentMode(event, choices)) {
      sources.add(GOOGLE_CONSENT_MODE);
    }
    JsonNode country = event.path("context").path("location").path("country");
    return new Found(
        choices,
        String.join("+", sources),
        tcString,
        country.isTextual() && !country.asText().isBlank()
            ? ConsentPolicy.normalise(country.asText())
            : null);
  }

  /** Adds the categories' choices; whether the event had any this service knows. */
  private boolean categories(JsonNode event, Map<String, Boolean> choices) {
    JsonNode preferences = event.path("context").path("consent").path("categoryPreferences");
    boolean found = false;
    if (!preferences.isObject()) {
      return false;
    }
    for (Map.Entry<String, JsonNode> category : preferences.properties()) {
      String purpose = purposeByCategory.get(category.getKey().toLowerCase(Locale.ROOT));
      if (purpose != null && category.getValue().isBoolean()) {
        choices.merge(purpose, category.getValue().booleanValue(), Boolean::logicalAnd);
        found = true;
      }
    }
    return found;
  }

  /** Adds the Google Consent Mode flags' choices; whether the event had any this service knows. */
  private boolean googleConsentMode(JsonNode event, Map<String, Boolean> choices) {
    JsonNode flags = event.path("context").path("consent").path("googleConsentMode");
    boolean found = false;
    if (!flags.isObject()) {
      return false;
    }
    for (Map.Entry<String, JsonNode> flag : flags.properties()) {
      String purpose = purposeByGoogleFlag.get(flag.getKey().toLowerCase(Locale.ROOT));
      String value = flag.getValue().asText("").toLowerCase(Locale.ROOT);
      if (purpose != null && (value.equals("granted") || value.equals("denied"))) {
        choices.merge(purpose, value.equals("granted"), Boolean::logicalAnd);
        found = true;
      }
    }
    return found;
  }

  private static String tcString(JsonNode event) {
    for (JsonNode candidate :
        new JsonNode[] {
          event.path("context").path("consent").path("tcf"),
          event.path("gdpr_consent"),
          event.path("properties").path("gdpr_consent")
        }) {
      if (candidate.isTextual() && !candidate.asText().isBlank()) {
        return candidate.asText();
      }
    }
    return null;
  }
}
