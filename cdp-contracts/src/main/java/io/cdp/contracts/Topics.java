package io.cdp.contracts;

import java.util.List;

/** Kafka topic names: the only place they are spelled. See ARCHITECTURE.md for who reads what. */
public final class Topics {

  /** Events as accepted by the collector ({@code RawEvent}), keyed by the best identifier. */
  public static final String EVENTS_RAW = "cdp.events.raw";

  /**
   * The messageIds each collector replica forwarded to {@link #EVENTS_RAW}, as packed digests (16
   * bytes each, one record per request), unkeyed: every replica reads them all to drop duplicates
   * that another replica (or itself before a restart) forwarded within the dedupe window.
   */
  public static final String COLLECTOR_FORWARDED = "cdp.collector.forwarded";

  /** Events with their profile id ({@code ResolvedEvent}), keyed by profile id. */
  public static final String EVENTS_RESOLVED = "cdp.events.resolved";

  /** Profile merges ({@code IdentityMerge}), keyed by the surviving profile id. */
  public static final String IDENTITY_MERGES = "cdp.identity.merges";

  /**
   * Identifiers detached from a profile ({@code IdentitySplit}), keyed by the profile they left.
   */
  public static final String IDENTITY_SPLITS = "cdp.identity.splits";

  /** Profile changes ({@code ProfileChange}), keyed by profile id. */
  public static final String PROFILES_CHANGES = "cdp.profiles.changes";

  /** Audience transitions ({@code MembershipTransition}), keyed by profile id. */
  public static final String AUDIENCES_MEMBERSHIP = "cdp.audiences.membership";

  /** Current consent per subject ({@code ConsentChange}); compacted, keyed by subject. */
  public static final String CONSENT_CHANGES = "cdp.consent.changes";

  /** Privacy requests ({@code PrivacyRequest}), keyed by request id. */
  public static final String PRIVACY_REQUESTS = "cdp.privacy.requests";

  /** Services' answers to privacy requests ({@code PrivacyAck}), keyed by request id. */
  public static final String PRIVACY_ACKS = "cdp.privacy.acks";

  /** Deliveries that ran out of retries ({@code DeadDelivery}), keyed by connector id. */
  public static final String DELIVERIES_DEAD = "cdp.deliveries.dead";

  /** Every topic, with whether it is compacted; the local stack and the Helm chart create them. */
  public static final List<TopicSpec> ALL =
      List.of(
          new TopicSpec(EVENTS_RAW, false),
          new TopicSpec(COLLECTOR_FORWARDED, false),
          new TopicSpec(EVENTS_RESOLVED, false),
          new TopicSpec(IDENTITY_MERGES, false),
          new TopicSpec(IDENTITY_SPLITS, false),
          new TopicSpec(PROFILES_CHANGES, false),
          new TopicSpec(AUDIENCES_MEMBERSHIP, false),
          new TopicSpec(CONSENT_CHANGES, true),
          new TopicSpec(PRIVACY_REQUESTS, false),
          new TopicSpec(PRIVACY_ACKS, false),
          new TopicSpec(DELIVERIES_DEAD, false));

  /** A topic and its cleanup policy. */
  public record TopicSpec(String name, boolean compacted) {}

  private Topics() {}
}
