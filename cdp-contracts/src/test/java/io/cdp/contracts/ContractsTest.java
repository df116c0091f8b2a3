package io.cdp.contracts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import io.cdp.contracts.audience.v1.MembershipTransition;
import io.cdp.contracts.audience.v1.TransitionKind;
import io.cdp.contracts.collector.v1.RawEvent;
import io.cdp.contracts.consent.v1.ConsentChange;
import io.cdp.contracts.identity.v1.Identifier;
import io.cdp.contracts.identity.v1.ResolvedEvent;
import io.cdp.contracts.kafka.Deserializers;
import io.cdp.contracts.kafka.ProtoSerializer;
import java.util.HashSet;
import java.util.List;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class ContractsTest {

  private final ProtoSerializer serializer = new ProtoSerializer();

  @Test
  void aResolvedEventSurvivesTheTopicRoundTrip() {
    ResolvedEvent event =
        ResolvedEvent.newBuilder()
            .setProfileId("p-1")
            .addIdentifiers(Identifier.newBuilder().setType("email").setValue("ann@example.com"))
            .setEvent(
                RawEvent.newBuilder()
                    .setMessageId("m-1")
                    .setType("track")
                    .setTimestamp(Timestamp.newBuilder().setSeconds(1_700_000_000))
                    .setPayloadJson(ByteString.copyFromUtf8("{\"event\":\"Order Completed\"}")))
            .build();
    byte[] bytes = serializer.serialize(Topics.EVENTS_RESOLVED, event);
    assertEquals(
        event,
        new Deserializers.ResolvedEventDeserializer().deserialize(Topics.EVENTS_RESOLVED, bytes));
  }

  @Test
  void everyPayloadHasADeserializerThatReadsWhatTheSerializerWrote() {
    MembershipTransition transition =
        MembershipTransition.newBuilder()
            .setTransitionId("t")
            .setKind(TransitionKind.JOINED)
            .setProfileVersion(3)
            .build();
    assertEquals(
        transition,
        new Deserializers.MembershipTransitionDeserializer()
            .deserialize("t", serializer.serialize("t", transition)));
    ConsentChange consent = ConsentChange.newBuilder().putPurposes("email", false).build();
    assertEquals(
        consent,
        new Deserializers.ConsentChangeDeserializer()
            .deserialize("t", serializer.serialize("t", consent)));
  }

  @Test
  void aTombstoneIsNullAndGarbageIsASerializationError() {
    assertNull(new Deserializers.ConsentChangeDeserializer().deserialize("t", null));
    assertThrows(
        SerializationException.class,
        () ->
            new Deserializers.RawEventDeserializer()
                .deserialize("t", new byte[] {(byte) 0xff, (byte) 0xff, 0x01}));
  }

  @Test
  void topicNamesAreUniqueAndOnlyConsentIsCompacted() {
    List<String> names = Topics.ALL.stream().map(Topics.TopicSpec::name).toList();
    assertEquals(names.size(), new HashSet<>(names).size());
    assertEquals(
        List.of(Topics.CONSENT_CHANGES),
        Topics.ALL.stream()
            .filter(Topics.TopicSpec::compacted)
            .map(Topics.TopicSpec::name)
            .toList());
  }
}
