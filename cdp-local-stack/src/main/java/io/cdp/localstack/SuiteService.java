package io.cdp.localstack;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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

  /**
   * The settings by which every service finds the others on loopback when they do not run on the
   * launcher's ports: in the services' properties a gRPC client's port is {@code
   * ${CDP_<SERVICE>_GRPC_PORT:<launcher port>}} and a REST client's base URL {@code
   * ${CDP_<SERVICE>_URL:http://127.0.0.1:<launcher port>}}.
   */
  public static Map<String, String> peers(Map<SuiteService, Integer> ports) {
    Map<String, String> settings = new LinkedHashMap<>();
    ports.forEach(
        (service, port) -> {
          settings.put("CDP_" + service.name() + "_GRPC_PORT", port.toString());
          settings.put("CDP_" + service.name() + "_URL", "http://127.0.0.1:" + port);
        });
    return settings;
  }
}
