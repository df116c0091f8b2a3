package io.cdp.localstack;

import java.util.List;

/**
 * The six services of the suite, with the module that builds each and its local HTTP port (the
 * ports of API.md; gRPC shares the HTTP port).
 */
public enum SuiteService {
  COLLECTOR("collector-service", 8080),
  IDENTITY("identity-service", 8081),
  PROFILE("profile-service", 8082),
  AUDIENCE("audience-service", 8083),
  CONSENT("consent-service", 8084),
  CONNECTOR("connector-service", 8085);

  private final String module;
  private final int port;

  SuiteService(String module, int port) {
    this.module = module;
    this.port = port;
  }

  public String module() {
    return module;
  }

  public int port() {
    return port;
  }

  public static List<SuiteService> all() {
    return List.of(values());
  }
}
