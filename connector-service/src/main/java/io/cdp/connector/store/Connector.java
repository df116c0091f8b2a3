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
 * A destination and when to send to it. Config, purposes and mapping are kept as the JSON the
 * client sent; the trigger is in columns so transitions find their connectors by audience. A
 * connector has either an audience trigger ({@code triggerAudience} and {@code triggerOn}) or an
 * event trigger ({@code triggerEvent}, a CEL condition).
 */
@Entity
@Table(
    name = "connectors",
    indexes = @Index(name = "connectors_trigger_audience", columnList = "trigger_audience"))
public class Connector extends PanacheEntityBase {

  @Id public UUID id;

  @Column(nullable = false)
  public String name;

  @Column(nullable = false)
  public String type;

  @Column(name = "config_json", nullable = false, columnDefinition = "text")
  public String configJson;

  /** The HMAC signing secret; never shown after creation. */
  @Column(nullable = false)
  public String secret;

  @Column(name = "trigger_audience")
  public String triggerAudience;

  /** API.md's name of the transition, e.g. {@code joined}. */
  @Column(name = "trigger_on")
  public String triggerOn;

  /** The CEL condition over {@code event} of an event trigger. */
  @Column(name = "trigger_event", columnDefinition = "text")
  public String triggerEvent;

  @Column(name = "purposes_json", nullable = false, columnDefinition = "text")
  public String purposesJson;

  @Column(name = "mapping_json", nullable = false, columnDefinition = "text")
  public String mappingJson;

  /**
   * Whether the destination takes erasure calls: a delivery of {@code type: "erasure"} when a
   * person is erased. Null (older rows) means no.
   */
  public Boolean erasure;

  /** At most this many calls a second to the destination; null: no limit. */
  @Column(name = "rate_limit_per_second")
  public Integer rateLimitPerSecond;

  @Column(name = "created_at", nullable = false)
  public Instant createdAt;

  @Column(name = "updated_at", nullable = false)
  public Instant updatedAt;
}
