package io.cdp.consent.rest;

import io.cdp.common.rest.ApiException;
import io.cdp.consent.Subject;
import io.cdp.consent.Subject.InvalidIdentifierException;
import io.cdp.consent.config.PrivacyConfig;
import io.cdp.consent.privacy.Erasures;
import io.cdp.consent.privacy.Erasures.Progress;
import io.cdp.consent.store.ErasureAck;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * {@code /v1/privacy/erasures}: erase a person from every service (API.md). 202 once the request is
 * stored; its status becomes {@code completed} when every service has deleted what it held.
 */
@Path("/v1/privacy/erasures")
public class ErasureResource {

  /** What a client sends. */
  public record ErasureOrder(String identifier) {}

  /** One service's part: {@code erased}, {@code failed} (with the error) or {@code waiting}. */
  public record ServiceProgress(String status, Instant acknowledgedAt, String error) {}

  /** A request as the API shows it; no personal data beyond what the caller sent. */
  public record ErasureView(
      String id,
      String status,
      Instant requestedAt,
      Instant finishedAt,
      String reason,
      Map<String, ServiceProgress> services) {}

  private static final ServiceProgress WAITING = new ServiceProgress("waiting", null, null);

  private final Erasures erasures;
  private final PrivacyConfig config;

  public ErasureResource(Erasures erasures, PrivacyConfig config) {
    this.erasures = erasures;
    this.config = config;
  }

  @POST
  public Uni<Response> request(ErasureOrder order) {
    if (order == null || order.identifier() == null) {
      throw ApiException.badRequest(
          "missing_field",
          "Name the person to erase, e.g. {\"identifier\": \"email:ann@example.com\"}",
          "identifier");
    }
    Subject subject;
    try {
      subject = Subject.parse(order.identifier());
    } catch (InvalidIdentifierException e) {
      throw ApiException.badRequest("invalid_identifier", e.getMessage(), "identifier");
    }
    if (subject.type().equals(Subject.PROFILE)) {
      throw ApiException.badRequest(
          "invalid_identifier", "Name the person by an identifier, not a profile id", "identifier");
    }
    return erasures.request(subject).map(progress -> Response.accepted(view(progress)).build());
  }

  @GET
  @Path("/{id}")
  public Uni<ErasureView> get(@PathParam("id") String id) {
    UUID requestId;
    try {
      requestId = UUID.fromString(id);
    } catch (IllegalArgumentException e) {
      throw ApiException.notFound("Erasure " + id);
    }
    return erasures
        .progress(requestId)
        .map(
            progress -> {
              if (progress == null) {
                throw ApiException.notFound("Erasure " + id);
              }
              return view(progress);
            });
  }

  private ErasureView view(Progress progress) {
    Map<String, ServiceProgress> services = new TreeMap<>();
    config.services().forEach(service -> services.put(service, WAITING));
    for (ErasureAck ack : progress.acks()) {
      services.put(
          ack.service,
          new ServiceProgress(ack.success ? "erased" : "failed", ack.acknowledgedAt, ack.error));
    }
    var request = progress.request();
    return new ErasureView(
        request.id.toString(),
        request.status,
        request.requestedAt,
        request.finishedAt,
        request.reason,
        services);
  }
}
