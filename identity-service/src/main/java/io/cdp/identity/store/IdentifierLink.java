package io.cdp.identity.store;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Index;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.time.Instant;
import java.util.Objects;

/**
 * One edge of the identity graph: an identifier and the profile it belongs to. An identifier
 * belongs to at most one profile (the primary key), which is what makes linking idempotent.
 */
@Entity
@Table(
    name = "identifiers",
    indexes = @Index(name = "identifiers_profile", columnList = "profile_id"))
@IdClass(IdentifierLink.Key.class)
public class IdentifierLink extends PanacheEntityBase {

  @Id
  @Column(nullable = false)
  public String type;

  @Id
  @Column(nullable = false)
  public String value;

  @Column(name = "profile_id", nullable = false)
  public String profileId;

  /** Event time of the first event that carried the identifier. */
  @Column(name = "first_seen", nullable = false)
  public Instant firstSeen;

  /**
   * Latest event time seen with the identifier, to the minute (event time, so a replay changes
   * nothing).
   */
  @Column(name = "last_seen", nullable = false)
  public Instant lastSeen;

  /** The composite primary key (type, value). */
  public static class Key implements Serializable {
    public String type;
    public String value;

    public Key() {}

    public Key(String type, String value) {
      this.type = type;
      this.value = value;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Key k && type.equals(k.type) && value.equals(k.value);
    }

    @Override
    public int hashCode() {
      return Objects.hash(type, value);
    }
  }
}
