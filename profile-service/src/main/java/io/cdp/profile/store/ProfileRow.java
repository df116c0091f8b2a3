package io.cdp.profile.store;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Index;
import jakarta.persistence.Table;
import java.time.Instant;

/**
 * The table {@code profile.profiles}: one row per live profile, the system of record behind the
 * {@code profiles} cache. Declared here so that Hibernate creates it like every table of the
 * schema; {@link ProfileRows} reads and writes it with SQL (multi-row upserts).
 */
@Entity
@Table(name = "profiles", indexes = @Index(name = "profiles_updated_at", columnList = "updated_at"))
public class ProfileRow {

  /** The profile id. */
  @Id public String id;

  /** The profile's version: a write never replaces a newer one. */
  @Column(nullable = false)
  public long version;

  /** When the profile last changed; retention deletes by it. */
  @Column(name = "updated_at", nullable = false)
  public Instant updatedAt;

  /**
   * Set once the profile was merged away: the row then only says where it went (its body is null)
   * and no later write of the merged profile replaces it.
   */
  @Column(name = "merged_into")
  public String mergedInto;

  /** The whole live profile as JSON (see {@link ProfileRows} for why JSONB). */
  @Column(columnDefinition = "jsonb")
  public String body;
}
