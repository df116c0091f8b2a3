package io.cdp.connector.store;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Index;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/**
 * One delivery of one transition to one connector: the delivery log and the idempotency record (a
 * delivery already {@code delivered} is not sent again).
 */
@Entity
@Table(
    name = "deliveries",
    indexes =
        @Index(name = "deliveries_connector_created", columnList = "connector_id, created_at"))
public class Delivery extends PanacheEntityBase {

  /** Recorded before the first attempt. */
  public static final String PENDING = "pending";

  /** The receiver answered 2xx. */
  public static final String DELIVERED = "delivered";

  /** Every attempt failed. */
  public static final String FAILED = "failed";

  @Id
  @Column(name = "delivery_id")
  public String deliveryId;

  @Column(name = "connector_id", nullable = false)
  public UUID connectorId;

  @Column(name = "profile_id", nullable = false)
  public String profileId;

  @Column(nullable = false)
  public String status;

  /** HTTP attempts made so far, over every processing of the transition. */
  @Column(nullable = false)
  public int attempts;

  @Column(name = "last_error", columnDefinition = "text")
  public String lastError;

  @Column(name = "created_at", nullable = false)
  public Instant createdAt;

  @Column(name = "updated_at", nullable = false)
  public Instant updatedAt;
}
