package io.cdp.consent.config;

import io.cdp.consent.ConsentPolicy;
import io.cdp.consent.DefaultMode;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.util.Map;
import java.util.stream.Collectors;

/** Builds the {@link ConsentPolicy} from configuration, once. */
public class ConsentPolicyProducer {

  @Produces
  @Singleton
  ConsentPolicy policy(ConsentConfig config) {
    Map<String, DefaultMode> defaults =
        config.purposes().entrySet().stream()
            .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().defaultMode()));
    return new ConsentPolicy(defaults);
  }
}
