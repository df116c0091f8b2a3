package io.cdp.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CollectorProducerSettingsTest {

  @Test
  void theRawProducerGetsTheCollectorsDurabilityAndTimeouts() throws Exception {
    Map<String, Object> settings = CollectorProducerSettings.read(Path.of("..").toAbsolutePath());
    assertEquals("all", settings.get("acks"));
    assertEquals("true", settings.get("enable.idempotence"));
    assertEquals("5000", settings.get("max.block.ms"));
    // consumer settings, channel attributes and serializers are not producer settings here
    assertFalse(settings.containsKey("auto.offset.reset"));
    assertFalse(settings.containsKey("topic"));
    assertFalse(settings.containsKey("value.serializer"));
  }
}
