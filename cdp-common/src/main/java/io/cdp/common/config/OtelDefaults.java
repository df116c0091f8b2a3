package io.cdp.common.config;

import java.util.Map;
import java.util.Set;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * Turns OpenTelemetry off unless an OTLP endpoint is configured ({@code
 * QUARKUS_OTEL_EXPORTER_OTLP_ENDPOINT}), so a service without a collector neither exports nor logs
 * export failures. Any explicit {@code quarkus.otel.sdk.disabled} wins (this source has the lowest
 * ordinal).
 */
public class OtelDefaults implements ConfigSource {

  private static final String DISABLED = "quarkus.otel.sdk.disabled";

  @Override
  public Set<String> getPropertyNames() {
    return Set.of(DISABLED);
  }

  @Override
  public String getValue(String name) {
    if (!DISABLED.equals(name)) {
      return null;
    }
    return Boolean.toString(!endpointConfigured(System.getenv(), System.getProperties()));
  }

  static boolean endpointConfigured(Map<String, String> env, Map<Object, Object> props) {
    return present(env.get("QUARKUS_OTEL_EXPORTER_OTLP_ENDPOINT"))
        || present(env.get("QUARKUS_OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"))
        || present((String) props.get("quarkus.otel.exporter.otlp.endpoint"))
        || present((String) props.get("quarkus.otel.exporter.otlp.traces.endpoint"));
  }

  private static boolean present(String value) {
    return value != null && !value.isBlank();
  }

  @Override
  public int getOrdinal() {
    return 50;
  }

  @Override
  public String getName() {
    return "cdp-otel-defaults";
  }
}
