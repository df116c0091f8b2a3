package io.cdp.common.rest;

import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Requires {@code Authorization: Bearer <admin token>} on every REST endpoint except those marked
 * {@link WriteKeyAuth}. Health and metrics ({@code /q/...}) are not REST resources and stay open
 * for probes.
 */
@Singleton
public class AdminTokenFilter {

  private static final String BEARER = "Bearer ";

  private final Optional<byte[]> token;

  public AdminTokenFilter(@ConfigProperty(name = "cdp.admin-token") Optional<String> token) {
    this.token = token.filter(t -> !t.isBlank()).map(t -> t.getBytes(StandardCharsets.UTF_8));
  }

  /** A production start without a token is a mistake: fail loudly rather than run open. */
  void checkConfigured(@Observes StartupEvent event) {
    if (token.isEmpty() && LaunchMode.current() == LaunchMode.NORMAL) {
      throw new IllegalStateException(
          "No admin token: set CDP_ADMIN_TOKEN (config cdp.admin-token) to a secret value");
    }
  }

  @ServerRequestFilter
  public Optional<Response> requireAdminToken(
      ContainerRequestContext request, ResourceInfo resource) {
    if (resource.getResourceMethod() == null
        || resource.getResourceMethod().isAnnotationPresent(WriteKeyAuth.class)
        || resource.getResourceClass().isAnnotationPresent(WriteKeyAuth.class)) {
      return Optional.empty();
    }
    String header = request.getHeaderString(HttpHeaders.AUTHORIZATION);
    if (header == null || !header.startsWith(BEARER)) {
      return Optional.of(
          ApiErrorMappers.response(
              401,
              "unauthorized",
              "Send the admin token as 'Authorization: Bearer <token>'",
              null));
    }
    byte[] presented = header.substring(BEARER.length()).trim().getBytes(StandardCharsets.UTF_8);
    if (token.isEmpty() || !MessageDigest.isEqual(token.get(), presented)) {
      return Optional.of(ApiErrorMappers.response(401, "unauthorized", "Wrong admin token", null));
    }
    return Optional.empty();
  }
}
