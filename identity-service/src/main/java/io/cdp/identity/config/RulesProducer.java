package io.cdp.identity.config;

import io.cdp.identity.Identifiers;
import io.cdp.identity.MergeRules;
import io.cdp.identity.ResolutionRules;
import jakarta.enterprise.context.Dependent;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.util.Set;

/** The pure rule objects, built once from {@link IdentityConfig}. */
@Dependent
public class RulesProducer {

  @Produces
  @Singleton
  MergeRules mergeRules(IdentityConfig config) {
    return MergeRules.withOverrides(
        config.priority(),
        config.limit(),
        config.defaultLimit(),
        Set.copyOf(config.blockedValues()),
        config.defaultCountryCode().orElse(""));
  }

  @Produces
  @Singleton
  Identifiers identifiers(MergeRules rules) {
    return new Identifiers(rules);
  }

  @Produces
  @Singleton
  ResolutionRules resolutionRules(MergeRules rules) {
    return new ResolutionRules(rules);
  }
}
