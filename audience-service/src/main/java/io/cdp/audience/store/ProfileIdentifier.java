package io.cdp.audience.store;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Index;
import jakarta.persistence.Table;

/** An identifier ({@code type:value}) of a profile, as of the profile's latest snapshot. */
@Entity
@Table(
    name = "profile_identifiers",
    indexes = @Index(name = "profile_identifiers_by_profile", columnList = "profile_id"))
public class ProfileIdentifier extends PanacheEntityBase {

  @Id public String identifier;

  @Column(name = "profile_id", nullable = false)
  public String profileId;
}
