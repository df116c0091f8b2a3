package io.cdp.audience.store;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/**
 * The last profile version applied here. A change at or below it was applied already (or is stale),
 * which is what makes redelivered changes harmless. Kept after a deletion too, so a late change
 * cannot bring a deleted profile back.
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
}
