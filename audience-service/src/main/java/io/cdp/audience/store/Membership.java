package io.cdp.audience.store;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Index;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/** A profile's membership of an audience: the durable copy of the {@code memberships} cache. */
@Entity
@Table(
    name = "memberships",
    indexes = @Index(name = "memberships_by_audience", columnList = "audience_id"))
@IdClass(Membership.Key.class)
public class Membership extends PanacheEntityBase {

  @Id
  @Column(name = "profile_id")
  public String profileId;

  @Id
  @Column(name = "audience_id")
  public UUID audienceId;

  @Column(nullable = false)
  public Instant since;

  /** The profile version whose evaluation made the profile a member. */
  @Column(name = "last_version", nullable = false)
  public long lastVersion;

  /** The primary key: one row per profile and audience. */
  public static class Key implements Serializable {
    public String profileId;
    public UUID audienceId;

    @Override
    public boolean equals(Object o) {
      return o instanceof Key k
          && Objects.equals(profileId, k.profileId)
          && Objects.equals(audienceId, k.audienceId);
    }

    @Override
    public int hashCode() {
      return Objects.hash(profileId, audienceId);
    }
  }
}
