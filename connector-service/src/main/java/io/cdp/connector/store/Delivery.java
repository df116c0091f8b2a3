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
 * One delivery of one transition or event to one connector: the outbox (a {@code pending} row is
 * sent until it is settled), the delivery log, and the idempotency record (a settled delivery is
 * not sent again unless replayed).
 */
@Entity
@Table(
    name = "deliveries",
    indexes = {
      @Index(name = "deliveries_connector_created", columnList = "connector_id, created_at"),
      @Index(name = "deliveries_status_updated", columnList = "status, updated_at")
    })
public class Delivery extends PanacheEntityBase {

  /** Recorded before the Kafka record is acknowledged; sent until settled. */
  public static final String PENDING = "pending";

  /** The receiver accepted it (2xx). */
  public static final String DELIVERED = "delivered";

  /** Not sent: a purpose the connector needs is not granted; {@code lastError} says which. */
  public static final String SUPPRESSED = "suppressed";

  /** Every attempt failed; published on {@code cdp.deliveries.dead} and replayable. */
  public static final String DEAD = "dead";

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

  /** What caused it ({@link io.cdp.connector.DeliverySource} as JSON). */
  @Column(name = "source_json", columnDefinition = "text")
  public String sourceJson;

  /** The exact bytes sent, built at the first attempt so that every later one sends the same. */
  @Column(columnDefinition = "bytea")
  public byte[] body;

  @Column(name = "last_error", columnDefinition = "text")
  public String lastError;

  @Column(name = "created_at", nullable = false)
  public Instant createdAt;

  @Column(name = "updated_at", nullable = false)
  public Instant updatedAt;
}
