package io.cdp.collector.store;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.UniqueConstraint;
import java.time.Instant;
import java.util.UUID;

/** A source of events (a website, an app, a server) and the write key it sends them with. */
@Entity
@Table(
    name = "sources",
    uniqueConstraints = @UniqueConstraint(columnNames = {"tealium_account", "tealium_profile"}))
public class Source extends PanacheEntityBase {

  @Id public UUID id;

  @Column(nullable = false)
  public String name;

  @Column(name = "write_key", nullable = false, unique = true)
  public String writeKey;

  @Column(nullable = false)
  public boolean enabled;

  /** Tealium-style collection names the source by account and profile. */
  @Column(name = "tealium_account")
  public String tealiumAccount;

  @Column(name = "tealium_profile")
  public String tealiumProfile;

  @Column(name = "created_at", nullable = false)
  public Instant createdAt;
}
