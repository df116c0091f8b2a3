package io.cdp.identity.store;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Index;
import jakarta.persistence.Table;
import java.time.Instant;

/**
 * A profile merged into another: a lookup of the old id follows {@code survivorId} (a chain, when
 * the survivor was merged later; merges also repoint older entries, so chains stay short).
 */
@Entity
@Table(
    name = "merged_profiles",
    indexes = @Index(name = "merged_profiles_survivor", columnList = "survivor_id"))
public class MergedProfile extends PanacheEntityBase {

  @Id
  @Column(name = "merged_id", nullable = false)
  public String mergedId;

  @Column(name = "survivor_id", nullable = false)
  public String survivorId;

  /** The {@code IdentityMerge.merge_id} that merged it. */
  @Column(name = "merge_id", nullable = false)
  public String mergeId;

  @Column(name = "merged_at", nullable = false)
  public Instant mergedAt;
}
