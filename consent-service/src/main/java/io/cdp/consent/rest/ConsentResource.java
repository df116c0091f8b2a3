package io.cdp.consent.rest;

import io.cdp.common.rest.ApiException;
import io.cdp.consent.ConsentPolicy;
import io.cdp.consent.ConsentPolicy.InvalidConsentException;
import io.cdp.consent.Consents;
import io.cdp.consent.Subject;
import io.cdp.consent.Subject.InvalidIdentifierException;
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

/** {@code /v1/consent/{type}:{value}}: a subject's consent per purpose (API.md). */
@Path("/v1/consent/{identifier}")
public class ConsentResource {

  /** What a client sends: purpose -> true/false. Values stay untyped to be checked strictly. */
  public record ConsentUpdate(Map<String, Object> purposes, String tcf) {}

  /**
   * A subject's consent: {@code purposes} has every configured purpose with its effective value,
   * {@code explicit} only what the subject chose, {@code updatedAt} is null if it never chose.
   */
  public record ConsentView(
      String subject,
      Map<String, Boolean> purposes,
      Map<String, Boolean> explicit,
      Instant updatedAt) {}

  private static final String SOURCE = "api";

  private final Consents consents;
  private final ConsentPolicy policy;

  public ConsentResource(Consents consents, ConsentPolicy policy) {
    this.consents = consents;
    this.policy = policy;
  }

  @GET
  public Uni<ConsentView> get(@PathParam("identifier") String identifier) {
    Subject subject = subject(identifier);
    return consents.current(subject).map(state -> view(subject, state));
  }

  @PUT
  public Uni<ConsentView> put(@PathParam("identifier") String identifier, ConsentUpdate body) {
    Subject subject = subject(identifier);
    if (body == null || body.purposes() == null) {
      throw ApiException.badRequest(
          "missing_field", "Send the purposes to set, e.g. {\"analytics\": true}", "purposes");
    }
    if (body.tcf() != null) {
      throw ApiException.badRequest(
          "unsupported_field", "TCF strings are not accepted by this version yet", "tcf");
    }
    Map<String, Boolean> choices;
    try {
      choices = policy.validate(body.purposes());
    } catch (InvalidConsentException e) {
      throw ApiException.badRequest(e.code(), e.getMessage(), e.field());
    }
    if (choices.isEmpty()) {
      return get(identifier);
    }
    return consents.change(subject, choices, SOURCE).map(state -> view(subject, state));
  }

  private ConsentView view(Subject subject, ConsentChange state) {
    if (state == null) {
      return new ConsentView(subject.key(), policy.effective(Map.of()), Map.of(), null);
    }
    Map<String, Boolean> explicit = state.getPurposesMap();
    Instant updatedAt = ProtoTime.instant(state.getUpdatedAt());
    return new ConsentView(
        subject.key(), policy.effective(explicit), new TreeMap<>(explicit), updatedAt);
  }

  private static Subject subject(String identifier) {
    try {
      return Subject.parse(identifier);
    } catch (InvalidIdentifierException e) {
      throw ApiException.badRequest("invalid_identifier", e.getMessage(), "identifier");
    }
  }
}
