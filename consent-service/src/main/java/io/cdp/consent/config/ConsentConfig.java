package io.cdp.consent.config;

import io.cdp.consent.DefaultMode;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithName;
import java.util.Map;

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

  /** One purpose. */
  interface Purpose {
    /** {@code opt-in} (denied until granted) or {@code opt-out} (allowed until withdrawn). */
    @WithName("default")
    DefaultMode defaultMode();
  }
}
