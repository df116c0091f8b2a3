package io.cdp.audience.store;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/**
 * The last profile version applied here. A change at or below it was applied already (or is stale),
 * which is what makes redelivered changes harmless. Kept after a deletion too, so a late change
 * cannot bring a deleted profile back; after an erasure no change is applied any more, whatever its
 * version, and the row holds nothing about the person but the profile id.
 */
@Entity
@Table(name = "profile_states")
public class ProfileState extends PanacheEntityBase {

  @Id
  @Column(name = "profile_id")
  public String profileId;

  @Column(nullable = false)
  public long version;

  @Column(nullable = false)
  public boolean deleted;

  /** Erased by a privacy request: every later change of this profile id is ignored. */
  @Column(columnDefinition = "boolean not null default false")
  public boolean erased;

  /**
   * How many re-evaluations without a new version (time passing, a backfill) changed the profile's
   * memberships: it tells their transitions apart ({@link io.cdp.audience.Transitions}) and tells
   * the memberships cache which state an entry reflects.
   */
  @Column(columnDefinition = "bigint not null default 0")
  public long round;
}
