package io.cdp.identity.store;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/**
 * A live profile. Its row is what a merge locks ({@code SELECT ... FOR UPDATE}, see {@link
 * io.cdp.identity.IdentityResolver}); a merged profile's row is deleted, its id kept in {@link
 * MergedProfile}.
 */
@Entity
@Table(name = "profiles")
public class StoredProfile extends PanacheEntityBase {

  @Id
  @Column(nullable = false)
  public String id;

  /** When the profile was created; the oldest profile of a merge survives it. */
  @Column(name = "created_at", nullable = false)
  public Instant createdAt;
}
