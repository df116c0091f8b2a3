package io.cdp.common.config;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class OtelDefaultsTest {

  @Test
  void tracingIsOffWithoutAnEndpoint() {
    assertFalse(OtelDefaults.endpointConfigured(Map.of(), Map.of()));
    assertFalse(
        OtelDefaults.endpointConfigured(
            Map.of("QUARKUS_OTEL_EXPORTER_OTLP_ENDPOINT", " "), Map.of()));
  }

  @Test
  void anEndpointFromTheEnvironmentOrASystemPropertyTurnsItOn() {
    assertTrue(
        OtelDefaults.endpointConfigured(
            Map.of("QUARKUS_OTEL_EXPORTER_OTLP_ENDPOINT", "http://otel:4317"), Map.of()));
    assertTrue(
        OtelDefaults.endpointConfigured(
            Map.of(), Map.of("quarkus.otel.exporter.otlp.traces.endpoint", "http://otel:4317")));
  }
}
