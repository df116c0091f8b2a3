package io.cdp.identity.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code cdp.identity.*}: the merge rules. Types not configured keep the defaults of {@link
 * io.cdp.identity.MergeRules}.
 */
@ConfigMapping(prefix = "cdp.identity")
public interface IdentityConfig {

  /** {@code cdp.identity.priority.<type>=<n>}, 1 highest (defaults user_id 1, email 2...). */
  Map<String, Integer> priority();

  /** {@code cdp.identity.limit.<type>=<n>}: identifiers of that type one profile may hold. */
  Map<String, Integer> limit();

  /** The limit of the types without their own (and user_id defaults to 1). */
  @WithDefault("5")
  int defaultLimit();

  /** Placeholder values never taken as identifiers; blank and all-zero values always are. */
  @WithDefault("null,undefined,anonymous,-1,0")
  List<String> blockedValues();

  /**
   * Calling code given to national phone numbers (e.g. {@code 49}); without it they keep digits.
   */
  Optional<String> defaultCountryCode();
}
