package io.cdp.consent.store;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** One service's latest answer to an erasure request. */
@Entity
@Table(name = "privacy_erasure_acks")
public class ErasureAck extends PanacheEntityBase {

  /** request id + "/" + service: one row per service and request. */
  @Id public String id;

  @Column(name = "request_id", nullable = false)
  public UUID requestId;

  @Column(nullable = false)
  public String service;

  @Column(nullable = false)
  public boolean success;

  public String error;

  @Column(name = "acknowledged_at", nullable = false)
  public Instant acknowledgedAt;

  public static String idOf(UUID requestId, String service) {
    return requestId + "/" + service;
  }
}
