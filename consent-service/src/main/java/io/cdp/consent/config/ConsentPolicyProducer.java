package io.cdp.consent.config;

import io.cdp.consent.ConsentPolicy;
import io.cdp.consent.DefaultMode;
import io.cdp.consent.EventConsent;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Builds the {@link ConsentPolicy} and the {@link EventConsent} mapping from configuration, once.
 */
public class ConsentPolicyProducer {

  @Produces
  @Singleton
  ConsentPolicy policy(ConsentConfig config) {
    Map<String, DefaultMode> defaults =
        config.purposes().entrySet().stream()
            .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().defaultMode()));
    return new ConsentPolicy(defaults);
  }

  @Produces
  @Singleton
  EventConsent eventConsent(ConsentConfig config, ConsentPolicy policy) {
    config
        .categories()
        .forEach(
            (category, purpose) -> {
              if (!policy.defaults().containsKey(purpose)) {
                throw new IllegalStateException(
                    "cdp.consent.categories."
                        + category
                        + " names the unknown purpose '"
                        + purpose
                        + "'; known: "
                        + policy.defaults().keySet());
              }
            });
    return new EventConsent(config.categories());
  }
}
