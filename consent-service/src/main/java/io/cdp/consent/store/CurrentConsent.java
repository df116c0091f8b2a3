package io.cdp.consent.store;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.Map;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** The current explicit consent of one subject: the sum of its {@link ConsentRecord}s. */
@Entity
@Table(name = "consent_state")
public class CurrentConsent extends PanacheEntityBase {

  /** The subject's key, {@code type:value}. */
  @Id public String subject;

  /** Purpose -> granted, only for the purposes the subject chose. */
  @JdbcTypeCode(SqlTypes.JSON)
  @Column(nullable = false)
  public Map<String, Boolean> purposes;

  /** Bumped by every change; published so readers can tell newer from older states. */
  @Column(nullable = false)
  public long version;

  /**
   * Where the subject was last seen (country or jurisdiction code, upper-cased); null if unknown.
   */
  public String jurisdiction;

  /** Null only while the row is being created by the first change. */
  @Column(name = "updated_at")
  public Instant updatedAt;
}
