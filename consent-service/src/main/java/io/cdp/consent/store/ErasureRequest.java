package io.cdp.consent.store;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Index;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/**
 * An erasure request and its progress: the audit row that outlives the data it erased. The person's
 * identifiers are kept only while the request is pending (they are needed to send it again); once
 * it is finished only a hash of the asked identifier remains.
 */
@Entity
@Table(
    name = "privacy_erasures",
    indexes = @Index(name = "privacy_erasures_status", columnList = "status, sent_at"))
public class ErasureRequest extends PanacheEntityBase {

  public static final String PENDING = "pending";
  public static final String COMPLETED = "completed";
  public static final String FAILED = "failed";

  @Id public UUID id;

  /** SHA-256 (hex) of the asked identifier, so an audit can match a request without the PII. */
  @Column(name = "identifier_hash", nullable = false)
  public String identifierHash;

  /** The asked identifier as type:value; null once finished. */
  public String identifier;

  /** Every identifier of the person at request time, as type:value; empty once finished. */
  @Column(nullable = false)
  public String[] identifiers;

  /** The person's profile id at request time; empty when the identity service knew none. */
  @Column(name = "profile_id", nullable = false)
  public String profileId;

  /** pending, completed or failed. */
  @Column(nullable = false)
  public String status;

  /** Why it failed. */
  public String reason;

  @Column(name = "requested_at", nullable = false)
  public Instant requestedAt;

  /** When the request was last published; a pending request is sent again after a while. */
  @Column(name = "sent_at", nullable = false)
  public Instant sentAt;

  @Column(name = "finished_at")
  public Instant finishedAt;
}
