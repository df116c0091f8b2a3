package io.cdp.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.Message;
import io.cdp.contracts.Topics;
import io.cdp.contracts.audience.v1.MembershipTransition;
import io.cdp.contracts.audience.v1.TransitionKind;
import io.cdp.contracts.collector.v1.RawEvent;
import io.cdp.contracts.identity.v1.ResolvedEvent;
import io.cdp.contracts.profile.v1.ProfileChange;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

class StageTimesTest {

  @Test
  void anEventsTimeToDeliveryIsSplitAtItsRecordsTimestamps() throws Exception {
    try (StageTimes times = new StageTimes(id -> id.startsWith("lat-"))) {
      times.read(record(Topics.EVENTS_RESOLVED, 1_010, resolved("lat-1", "p1")));
      times.read(record(Topics.EVENTS_RESOLVED, 1_011, resolved("other", "p2")));
      times.read(record(Topics.PROFILES_CHANGES, 1_030, change("lat-1", "p1")));
      times.read(record(Topics.AUDIENCES_MEMBERSHIP, 1_060, join("p1", TransitionKind.LEFT)));
      times.read(record(Topics.AUDIENCES_MEMBERSHIP, 1_070, join("p1", TransitionKind.JOINED)));
      times.read(record(Topics.AUDIENCES_MEMBERSHIP, 1_090, join("p1", TransitionKind.JOINED)));
      times.read(record(Topics.EVENTS_RESOLVED, 1_050, resolved("lat-2", "p3")));

      Map<String, Object> split =
          times.split(Map.of("lat-1", 1_000L, "lat-2", 1_040L), Map.of("lat-1", 1_170L));

      assertEquals(10.0, figure(split, "identity"), 0.1);
      assertEquals(20.0, figure(split, "profile"), 0.1);
      assertEquals(40.0, figure(split, "audience"), 0.1, "the first join counts, not a leave");
      assertEquals(100.0, figure(split, "connector"), 0.1);
      assertEquals(1L, split.get("events"));
      assertEquals(1L, split.get("events_incomplete"), "lat-2 never reached its profile change");
    }
  }

  private static double figure(Map<String, Object> split, String stage) {
    return (Double) ((Map<?, ?>) split.get(stage)).get("p50_ms");
  }

  private static ConsumerRecord<byte[], byte[]> record(String topic, long at, Message value) {
    return new ConsumerRecord<>(
        topic,
        0,
        0,
        at,
        TimestampType.CREATE_TIME,
        0,
        0,
        new byte[0],
        value.toByteArray(),
        new org.apache.kafka.common.header.internals.RecordHeaders(),
        java.util.Optional.empty());
  }

  private static ResolvedEvent resolved(String messageId, String profileId) {
    return ResolvedEvent.newBuilder()
        .setProfileId(profileId)
        .setEvent(RawEvent.newBuilder().setMessageId(messageId))
        .build();
  }

  private static ProfileChange change(String cause, String profileId) {
    return ProfileChange.newBuilder().setProfileId(profileId).setCause(cause).build();
  }

  private static MembershipTransition join(String profileId, TransitionKind kind) {
    return MembershipTransition.newBuilder().setProfileId(profileId).setKind(kind).build();
  }
}
