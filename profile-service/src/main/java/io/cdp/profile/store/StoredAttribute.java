package io.cdp.profile.store;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** An attribute definition as PostgreSQL keeps it; stored only once every rule compiled. */
@Entity
@Table(name = "attributes")
public class StoredAttribute extends PanacheEntityBase {

  /** The attribute's name, its key under {@code attributes} and in the API path. */
  @Id public String name;

  /** API spelling, e.g. {@code number}. */
  @Column(nullable = false)
  public String type;

  /** API spelling: {@code visitor} or {@code visit}. */
  @Column(nullable = false)
  public String scope;

  /** The enrichment rules as the API's JSON array. */
  @Column(nullable = false, columnDefinition = "text")
  public String enrichments;

  /** The bound of a timeline; 0 for other types. */
  @Column(name = "max_entries", nullable = false)
  public int maxEntries;

  @Column(name = "created_at", nullable = false)
  public Instant createdAt;

  @Column(name = "updated_at", nullable = false)
  public Instant updatedAt;
}
