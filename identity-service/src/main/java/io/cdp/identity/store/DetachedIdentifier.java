package io.cdp.identity.store;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/**
 * Audit of an identifier detached from a wrongly linked profile onto a new profile of its own
 * ({@code POST /v1/identities/{type}:{value}/detach}). An erasure of either profile deletes it.
 */
@Entity
@Table(name = "detached_identifiers")
public class DetachedIdentifier extends PanacheEntityBase {

  @Id
  @Column(nullable = false)
  public String id;

  @Column(nullable = false)
  public String type;

  @Column(nullable = false)
  public String value;

  @Column(name = "from_profile_id", nullable = false)
  public String fromProfileId;

  @Column(name = "to_profile_id", nullable = false)
  public String toProfileId;

  @Column(name = "detached_at", nullable = false)
  public Instant detachedAt;
}
