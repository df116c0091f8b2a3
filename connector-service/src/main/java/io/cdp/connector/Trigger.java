package io.cdp.connector;

import io.cdp.contracts.audience.v1.MembershipTransition;

/** When a connector fires: a kind of transition of one audience. */
public record Trigger(String audience, TriggerOn on) {

  /** True when {@code transition} is of this trigger's audience and kind. */
  public boolean matches(MembershipTransition transition) {
    return audience.equals(transition.getAudienceId()) && on.kind() == transition.getKind();
  }
}
