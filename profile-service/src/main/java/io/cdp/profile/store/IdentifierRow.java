package io.cdp.profile.store;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Index;
import jakarta.persistence.Table;

/**
 * The table {@code profile.profile_identifiers}: the identifier index ({@code type:value} to
 * profile id) behind the {@code profile-identifiers} cache. Declared here so that Hibernate creates
 * it; {@link ProfileRows} writes it together with the profiles.
 */
@Entity
@Table(
    name = "profile_identifiers",
    indexes = @Index(name = "profile_identifiers_profile_id", columnList = "profile_id"))
public class IdentifierRow {

  /** Normalised {@code type:value}. */
  @Id public String identifier;

  @Column(name = "profile_id", nullable = false)
  public String profileId;
}
