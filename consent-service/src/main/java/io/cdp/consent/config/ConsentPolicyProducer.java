package io.cdp.consent.config;

import io.cdp.consent.ConsentPolicy;
import io.cdp.consent.DefaultMode;
import io.cdp.consent.EventConsent;
import io.cdp.consent.TcfConsent;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Builds the {@link ConsentPolicy}, the {@link TcfConsent} and {@link EventConsent} mappings from
 * configuration, once; a mapping that names an unknown purpose stops the start.
 */
public class ConsentPolicyProducer {

  @Produces
  @Singleton
  ConsentPolicy policy(ConsentConfig config) {
    Map<String, DefaultMode> defaults =
        config.purposes().entrySet().stream()
            .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().defaultMode()));
    List<ConsentPolicy.Jurisdiction> jurisdictions =
        config.jurisdictions().entrySet().stream()
            .map(
                e ->
                    new ConsentPolicy.Jurisdiction(
                        e.getKey(),
                        Set.copyOf(e.getValue().countries().orElse(List.of())),
                        e.getValue().defaultMode()))
            .toList();
    return new ConsentPolicy(defaults, jurisdictions, config.defaultJurisdiction().orElse(null));
  }

  @Produces
  @Singleton
  TcfConsent tcfConsent(ConsentConfig config, ConsentPolicy policy) {
    config
        .tcf()
        .keySet()
        .forEach(purpose -> requireKnown("cdp.consent.tcf." + purpose, List.of(purpose), policy));
    return new TcfConsent(config.tcf());
  }

  @Produces
  @Singleton
  EventConsent eventConsent(ConsentConfig config, ConsentPolicy policy, TcfConsent tcf) {
    config
        .categories()
        .forEach(
            (category, purpose) ->
                requireKnown("cdp.consent.categories." + category, List.of(purpose), policy));
    config
        .googleConsentMode()
        .forEach(
            (flag, purpose) ->
                requireKnown("cdp.consent.google-consent-mode." + flag, List.of(purpose), policy));
    return new EventConsent(config.categories(), config.googleConsentMode(), tcf);
  }

  private static void requireKnown(
      String setting, Iterable<String> purposes, ConsentPolicy policy) {
    for (String purpose : purposes) {
      if (!policy.defaults().containsKey(purpose)) {
        throw new IllegalStateException(
            setting
                + " names the unknown purpose '"
                + purpose
                + "'; known: "
                + policy.defaults().keySet());
      }
    }
  }
}
