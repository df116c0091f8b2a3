package io.cdp.consent.rest;

import io.cdp.common.rest.ApiException;
import io.cdp.consent.Subject;
import io.cdp.consent.Subject.InvalidIdentifierException;
import io.cdp.consent.privacy.AccessReports;
import io.cdp.consent.privacy.AccessReports.AccessReport;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;

/**
 * {@code GET /v1/privacy/profiles/{type}:{value}}: everything the suite holds about a person (a
 * data subject's access request), gathered from every service; 404 for an unknown identifier.
 */
@Path("/v1/privacy/profiles/{identifier}")
public class AccessResource {

  private final AccessReports reports;

  public AccessResource(AccessReports reports) {
    this.reports = reports;
  }

  @GET
  public Uni<AccessReport> get(@PathParam("identifier") String identifier) {
    Subject subject;
    try {
      subject = Subject.parse(identifier);
    } catch (InvalidIdentifierException e) {
      throw ApiException.badRequest("invalid_identifier", e.getMessage(), "identifier");
    }
    return reports.of(subject);
  }
}
