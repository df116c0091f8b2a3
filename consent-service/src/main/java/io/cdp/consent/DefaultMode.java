package io.cdp.consent;

/** What a purpose allows for a subject who has said nothing about it. */
public enum DefaultMode {
  /** Denied until granted (configured as {@code opt-in}). */
  OPT_IN,
  /** Allowed until withdrawn (configured as {@code opt-out}). */
  OPT_OUT;

  /** Whether the purpose is allowed while the subject has not chosen. */
  public boolean allowedBeforeChoice() {
    return this == OPT_OUT;
  }
}
