package io.cdp.contracts.kafka;

import io.cdp.contracts.audience.v1.MembershipTransition;
import io.cdp.contracts.collector.v1.RawEvent;
import io.cdp.contracts.connector.v1.DeadDelivery;
import io.cdp.contracts.consent.v1.ConsentChange;
import io.cdp.contracts.consent.v1.PrivacyAck;
import io.cdp.contracts.consent.v1.PrivacyRequest;
import io.cdp.contracts.identity.v1.IdentityMerge;
import io.cdp.contracts.identity.v1.IdentitySplit;
import io.cdp.contracts.identity.v1.ResolvedEvent;
import io.cdp.contracts.profile.v1.ProfileChange;

/** A Kafka deserializer per payload, named in each channel's {@code value.deserializer}. */
public final class Deserializers {

  /** For {@code cdp.events.raw}. */
  public static class RawEventDeserializer extends ProtoDeserializer<RawEvent> {
    public RawEventDeserializer() {
      super(RawEvent.parser());
    }
  }

  /** For {@code cdp.events.resolved}. */
  public static class ResolvedEventDeserializer extends ProtoDeserializer<ResolvedEvent> {
    public ResolvedEventDeserializer() {
      super(ResolvedEvent.parser());
    }
  }

  /** For {@code cdp.identity.merges}. */
  public static class IdentityMergeDeserializer extends ProtoDeserializer<IdentityMerge> {
    public IdentityMergeDeserializer() {
      super(IdentityMerge.parser());
    }
  }

  /** For {@code cdp.identity.splits}. */
  public static class IdentitySplitDeserializer extends ProtoDeserializer<IdentitySplit> {
    public IdentitySplitDeserializer() {
      super(IdentitySplit.parser());
    }
  }

  /** For {@code cdp.profiles.changes}. */
  public static class ProfileChangeDeserializer extends ProtoDeserializer<ProfileChange> {
    public ProfileChangeDeserializer() {
      super(ProfileChange.parser());
    }
  }

  /** For {@code cdp.audiences.membership}. */
  public static class MembershipTransitionDeserializer
      extends ProtoDeserializer<MembershipTransition> {
    public MembershipTransitionDeserializer() {
      super(MembershipTransition.parser());
    }
  }

  /** For {@code cdp.consent.changes}. */
  public static class ConsentChangeDeserializer extends ProtoDeserializer<ConsentChange> {
    public ConsentChangeDeserializer() {
      super(ConsentChange.parser());
    }
  }

  /** For {@code cdp.privacy.requests}. */
  public static class PrivacyRequestDeserializer extends ProtoDeserializer<PrivacyRequest> {
    public PrivacyRequestDeserializer() {
      super(PrivacyRequest.parser());
    }
  }

  /** For {@code cdp.privacy.acks}. */
  public static class PrivacyAckDeserializer extends ProtoDeserializer<PrivacyAck> {
    public PrivacyAckDeserializer() {
      super(PrivacyAck.parser());
    }
  }

  /** For {@code cdp.deliveries.dead}. */
  public static class DeadDeliveryDeserializer extends ProtoDeserializer<DeadDelivery> {
    public DeadDeliveryDeserializer() {
      super(DeadDelivery.parser());
    }
  }

  private Deserializers() {}
}
