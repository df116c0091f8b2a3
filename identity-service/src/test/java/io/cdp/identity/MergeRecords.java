package io.cdp.identity;

import io.cdp.contracts.Topics;
import io.cdp.contracts.identity.v1.IdentityMerge;
import io.cdp.contracts.kafka.Deserializers;
import java.util.List;
import java.util.function.Predicate;

/** The merges on {@code cdp.identity.merges}. */
final class MergeRecords {

  private MergeRecords() {}

  /**
   * Every matching merge written so far. The service publishes a merge before it answers the call
   * or publishes the event that caused it, so once those are seen this list is complete.
   */
  static List<IdentityMerge> upToNow(Predicate<IdentityMerge> match) {
    return TopicRecords.upToNow(
        Topics.IDENTITY_MERGES, new Deserializers.IdentityMergeDeserializer(), match);
  }

  /** The merges that name this profile, as survivor or as merged. */
  static List<IdentityMerge> involving(String profileId) {
    return upToNow(
        m ->
            m.getSurvivingProfileId().equals(profileId)
                || m.getMergedProfileIdsList().contains(profileId));
  }
}
