package io.cdp.identity.store;

import io.cdp.common.Hashes;
import io.cdp.identity.IdentifierRef;
import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/**
 * An erased identifier that must never be linked again: later events carrying it are dropped. Only
 * the SHA-256 of its normalised {@code type:value} is kept, so erasure leaves no personal data.
 */
@Entity
@Table(name = "suppressed_identifiers")
public class SuppressedIdentifier extends PanacheEntityBase {

  /** Hex SHA-256 of {@link IdentifierRef#key()}. */
  @Id
  @Column(nullable = false, length = 64)
  public String hash;

  @Column(name = "suppressed_at", nullable = false)
  public Instant suppressedAt;

  /** The stored form of an identifier: the hash of its normalised {@code type:value}. */
  public static String hashOf(IdentifierRef identifier) {
    return Hashes.sha256Hex(identifier.key());
  }
}
