package io.cdp.audience.store;

import com.google.protobuf.InvalidProtocolBufferException;
import io.cdp.contracts.profile.v1.Profile;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import io.smallrye.mutiny.Uni;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Index;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.List;

/**
 * The latest profile snapshot, what rules are evaluated against when time passes or an audience is
 * backfilled, and when its memberships must next be re-evaluated because time alone can change a
 * rule's truth. Deleted with the profile (deletion, erasure).
 */
@Entity
@Table(
    name = "profile_snapshots",
    indexes = @Index(name = "profile_snapshots_by_next_check", columnList = "next_check_at"))
public class ProfileSnapshot extends PanacheEntityBase {

  @Id
  @Column(name = "profile_id")
  public String profileId;

  @Column(nullable = false)
  public long version;

  /**
   * The {@code Profile} protobuf of the change, the compact form of exactly what rules read (see
   * {@link io.cdp.common.ProfileVariables}).
   */
  @Column(nullable = false, columnDefinition = "bytea")
  public byte[] snapshot;

  /** The earliest moment a time-dependent rule can change its answer; null when none can. */
  @Column(name = "next_check_at")
  public Instant nextCheckAt;

  /** The stored snapshot. */
  public Profile profile() {
    try {
      return Profile.parseFrom(snapshot);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("Unreadable snapshot of " + profileId, e);
    }
  }

  /**
   * Up to {@code limit} ids of profiles due for a re-evaluation at {@code now}, after {@code after}
   * in id order, so that one scan visits each due profile once.
   */
  public static Uni<List<String>> due(Instant now, String after, int limit) {
    return Panache.getSession()
        .chain(
            session ->
                session
                    .createSelectionQuery(
                        "select profileId from ProfileSnapshot"
                            + " where nextCheckAt <= :now and profileId > :after order by profileId",
                        String.class)
                    .setParameter("now", now)
                    .setParameter("after", after)
                    .setMaxResults(limit)
                    .getResultList());
  }

  /** Brings the next check of a profile forward to {@code at}, unless it is due earlier already. */
  public static Uni<Integer> checkBy(String profileId, Instant at) {
    return update(
        "nextCheckAt = ?1 where profileId = ?2 and (nextCheckAt is null or nextCheckAt > ?1)",
        at,
        profileId);
  }
}
