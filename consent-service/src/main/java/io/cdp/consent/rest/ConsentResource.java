package io.cdp.consent.rest;

import io.cdp.common.rest.ApiException;
import io.cdp.consent.ConsentPolicy;
import io.cdp.consent.ConsentPolicy.InvalidConsentException;
import io.cdp.consent.Consents;
import io.cdp.consent.EventConsent;
import io.cdp.consent.Subject;
import io.cdp.consent.Subject.InvalidIdentifierException;
import io.cdp.consent.TcfConsent;
import io.cdp.consent.TcfConsent.InvalidTcfException;
import io.cdp.contracts.ProtoTime;
import io.cdp.contracts.consent.v1.ConsentChange;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/** {@code /v1/consent/{type}:{value}}: a subject's consent per purpose (API.md). */
@Path("/v1/consent/{identifier}")
public class ConsentResource {

  /**
   * What a client sends: purpose -> true/false (values stay untyped to be checked strictly), an
   * optional IAB TCF v2 string, and the subject's place (country or jurisdiction code), optional.
   * Purposes named explicitly win over what the TC string says about them.
   */
  public record ConsentUpdate(Map<String, Object> purposes, String tcf, String jurisdiction) {}

  /**
   * A subject's consent: {@code purposes} has every configured purpose with its effective value,
   * {@code explicit} only what the subject chose, {@code jurisdiction} the subject's known place
   * (whose defaults apply), {@code updatedAt} is null if it never chose.
   */
  public record ConsentView(
      String subject,
      Map<String, Boolean> purposes,
      Map<String, Boolean> explicit,
      String jurisdiction,
      Instant updatedAt) {}

  private static final String API = "api";

  /** Country codes, jurisdiction codes, or country names as events carry them. */
  private static final Pattern PLACE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9 _-]{0,63}");

  private final Consents consents;
  private final ConsentPolicy policy;
  private final TcfConsent tcf;

  public ConsentResource(Consents consents, ConsentPolicy policy, TcfConsent tcf) {
    this.consents = consents;
    this.policy = policy;
    this.tcf = tcf;
  }

  @GET
  public Uni<ConsentView> get(@PathParam("identifier") String identifier) {
    Subject subject = subject(identifier);
    return consents.current(subject).map(state -> view(subject, state));
  }

  @PUT
  public Uni<ConsentView> put(@PathParam("identifier") String identifier, ConsentUpdate body) {
    Subject subject = subject(identifier);
    if (body == null
        || (body.purposes() == null && body.tcf() == null && body.jurisdiction() == null)) {
      throw ApiException.badRequest(
          "missing_field",
          "Send the purposes to set, e.g. {\"purposes\": {\"analytics\": true}}, a TC string"
              + " as \"tcf\", or the subject's \"jurisdiction\"",
          "purposes");
    }
    Map<String, Boolean> choices = new TreeMap<>();
    if (body.tcf() != null) {
      try {
        choices.putAll(tcf.choices(TcfConsent.decode(body.tcf())));
      } catch (InvalidTcfException e) {
        throw ApiException.badRequest("invalid_tcf", e.getMessage(), "tcf");
      }
    }
    if (body.purposes() != null) {
      try {
        choices.putAll(policy.validate(body.purposes()));
      } catch (InvalidConsentException e) {
        throw ApiException.badRequest(e.code(), e.getMessage(), e.field());
      }
    }
    String jurisdiction = null;
    if (body.jurisdiction() != null) {
      if (!PLACE.matcher(body.jurisdiction().trim()).matches()) {
        throw ApiException.badRequest(
            "invalid_value",
            "Name the jurisdiction by a country code (e.g. \"DE\") or a configured jurisdiction",
            "jurisdiction");
      }
      jurisdiction = ConsentPolicy.normalise(body.jurisdiction());
    }
    if (choices.isEmpty() && jurisdiction == null) {
      return get(identifier);
    }
    Consents.Update update = new Consents.Update(choices, sourceOf(body), body.tcf(), jurisdiction);
    return consents.change(subject, update).map(state -> view(subject, state));
  }

  /** api, tcf, or api+tcf when explicit purposes complete a TC string. */
  private static String sourceOf(ConsentUpdate body) {
    if (body.tcf() == null) {
      return API;
    }
    return body.purposes() == null ? EventConsent.TCF : API + "+" + EventConsent.TCF;
  }

  private ConsentView view(Subject subject, ConsentChange state) {
    if (state == null) {
      return new ConsentView(subject.key(), policy.effective(Map.of()), Map.of(), null, null);
    }
    Map<String, Boolean> explicit = state.getPurposesMap();
    String jurisdiction = state.getJurisdiction().isEmpty() ? null : state.getJurisdiction();
    Instant updatedAt = ProtoTime.instant(state.getUpdatedAt());
    return new ConsentView(
        subject.key(),
        policy.effective(explicit, jurisdiction),
        new TreeMap<>(explicit),
        jurisdiction,
        updatedAt);
  }

  private static Subject subject(String identifier) {
    try {
      return Subject.parse(identifier);
    } catch (InvalidIdentifierException e) {
      throw ApiException.badRequest("invalid_identifier", e.getMessage(), "identifier");
    }
  }
}
