package io.cdp.consent.config;

import io.cdp.consent.DefaultMode;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@code cdp.consent.*}: the purposes consent is asked for (see application.properties). */
@ConfigMapping(prefix = "cdp.consent")
public interface ConsentConfig {

  /** Purpose name -> its settings. */
  Map<String, Purpose> purposes();

  /**
   * Consent categories as events carry them ({@code context.consent.categoryPreferences}) -> the
   * purpose each one decides.
   */
  Map<String, String> categories();

  /** Our purpose -> the IAB TCF v2 purpose ids (1-24) that must all be consented to grant it. */
  Map<String, List<Integer>> tcf();

  /** Google Consent Mode flag ({@code ad_storage}...) -> the purpose it decides. */
  @WithName("google-consent-mode")
  Map<String, String> googleConsentMode();

  /** Jurisdiction code -> where it applies and its defaults. */
  Map<String, Jurisdiction> jurisdictions();

  /** The jurisdiction of subjects whose place is unknown or uncovered; none: purposes' defaults. */
  Optional<String> defaultJurisdiction();

  /** How long a check may reuse who a subject is (the identity service's Lookup); 0: never. */
  @WithDefault("30s")
  Duration identityCacheTtl();

  /**
   * How long a check caused by an event ({@code after_event}) may wait for this service to apply
   * the consent carried by that event and the ones before it; then it fails (UNAVAILABLE) and the
   * caller retries. Keep it below the connector's timeout.
   */
  @WithDefault("4s")
  Duration eventWait();

  /** One purpose. */
  interface Purpose {
    /** {@code opt-in} (denied until granted) or {@code opt-out} (allowed until withdrawn). */
    @WithName("default")
    DefaultMode defaultMode();
  }

  /** One jurisdiction. */
  interface Jurisdiction {
    /** The countries it covers (ISO 3166-1 alpha-2, or as events name them). */
    Optional<List<String>> countries();

    /** Purpose -> its default here; purposes not named keep their own default. */
    @WithName("default-mode")
    Map<String, DefaultMode> defaultMode();
  }
}
