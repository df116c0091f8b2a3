package io.cdp.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.cdp.bench.ProfilePhase.ProfileEvents;
import io.cdp.contracts.Topics;
import io.cdp.contracts.identity.v1.ResolvedEvent;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

class ProfileEventsTest {

  @Test
  void eachBlockOfProfilesGetsFourEventsEachRoundByRound() {
    assertEquals(0, ProfileEvents.profileOf(0));
    assertEquals(999, ProfileEvents.profileOf(999));
    assertEquals(0, ProfileEvents.profileOf(1_000)); // second round of the first block
    assertEquals(999, ProfileEvents.profileOf(3_999)); // its last event
    assertEquals(1_000, ProfileEvents.profileOf(4_000)); // the next block's first profile
    assertEquals(1_500, ProfileEvents.profileOf(4_000 + 1_000 + 500));
  }

  @Test
  void recordsAreResolvedEventsKeyedByProfileIdWithTheUserIdAsIdentifier() throws Exception {
    ProfileEvents events = new ProfileEvents("pop");
    ProducerRecord<String, byte[]> record = events.record(1_001);
    ResolvedEvent resolved = ResolvedEvent.parseFrom(record.value());
    assertEquals(Topics.EVENTS_RESOLVED, record.topic());
    assertEquals("pop-profile-1", record.key());
    assertEquals("pop-profile-1", resolved.getProfileId());
    assertEquals("user_id", resolved.getIdentifiers(0).getType());
    assertEquals("pop-user-1", resolved.getIdentifiers(0).getValue());
    assertEquals("pop-user-1", resolved.getEvent().getUserId());
    assertEquals("", resolved.getEvent().getAnonymousId());
  }

  @Test
  void itCountsTheProfilesCreatedAndTheEventsOfTheFirst() {
    ProfileEvents events = new ProfileEvents("pop");
    for (long n = 0; n < 2_500; n++) {
      events.record(n);
    }
    assertEquals(1_000, events.created());
    assertEquals(3, events.eventsOfFirstProfile());
    for (long n = 2_500; n < 4_001; n++) {
      events.record(n);
    }
    assertEquals(1_001, events.created());
    assertEquals(4, events.eventsOfFirstProfile());
  }
}
