package io.cdp.connector;

import io.cdp.contracts.audience.v1.TransitionKind;
import java.util.Arrays;
import java.util.Optional;

/** The audience transitions a connector can fire on, as API.md spells them. */
public enum TriggerOn {
  JOINED("joined", TransitionKind.JOINED),
  LEFT("left", TransitionKind.LEFT),
  IN_AUDIENCE_AT_VISIT_START(
      "in_audience_at_visit_start", TransitionKind.IN_AUDIENCE_AT_VISIT_START),
  IN_AUDIENCE_AT_VISIT_END("in_audience_at_visit_end", TransitionKind.IN_AUDIENCE_AT_VISIT_END);

  private final String wireName;
  private final TransitionKind kind;

  TriggerOn(String wireName, TransitionKind kind) {
    this.wireName = wireName;
    this.kind = kind;
  }

  /** The name in the API and in delivery bodies, e.g. {@code joined}. */
  public String wireName() {
    return wireName;
  }

  public TransitionKind kind() {
    return kind;
  }

  /** The trigger named {@code wireName}, if it is one. */
  public static Optional<TriggerOn> parse(String wireName) {
    return Arrays.stream(values()).filter(t -> t.wireName.equals(wireName)).findFirst();
  }
}
