package io.cdp.audience.store;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** An audience: a name and the CEL rule a profile must satisfy to be a member. */
@Entity
@Table(name = "audiences")
public class Audience extends PanacheEntityBase {

  @Id public UUID id;

  @Column(nullable = false)
  public String name;

  /** Stored only once it compiled to a bool-valued expression. */
  @Column(nullable = false, columnDefinition = "text")
  public String rule;

  @Column(name = "created_at", nullable = false)
  public Instant createdAt;

  @Column(name = "updated_at", nullable = false)
  public Instant updatedAt;
}
