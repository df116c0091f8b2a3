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
 * One consent decision as it was made: who, which purpose, granted or not, where it came from and
 * when. Never updated, so the history shows every choice a subject made.
 */
@Entity
@Table(
    name = "consent_records",
    indexes = @Index(name = "consent_records_subject", columnList = "subject, recorded_at"))
public class ConsentRecord extends PanacheEntityBase {

  @Id public UUID id;

  @Column(nullable = false)
  public String subject;

  @Column(nullable = false)
  public String purpose;

  @Column(nullable = false)
  public boolean granted;

  /** api, event, tcf, google_consent_mode (as on ConsentChange). */
  @Column(nullable = false)
  public String source;

  @Column(name = "recorded_at", nullable = false)
  public Instant recordedAt;
}
