package io.cdp.audience.store;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import io.smallrye.mutiny.Uni;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

/**
 * The evaluation of an audience over the existing profiles after it was created or its rule
 * changed: profiles are walked in profile id order, a page at a time, and {@code cursor} is the
 * last profile id done, so a restarted service resumes where it stopped.
 */
@Entity
@Table(name = "backfills")
public class Backfill extends PanacheEntityBase {

  public static final String RUNNING = "running";
  public static final String DONE = "done";

  @Id
  @Column(name = "audience_id")
  public UUID audienceId;

  /** Bumped when the rule changes again: progress of the previous run is then discarded. */
  @Column(nullable = false)
  public long generation;

  @Column(nullable = false)
  public String status;

  /** The last profile id evaluated; empty before the first page. */
  @Column(nullable = false)
  public String cursor;

  @Column(nullable = false)
  public long evaluated;

  /** The profiles known when the backfill started. */
  @Column(nullable = false)
  public long total;

  @Column(name = "updated_at", nullable = false)
  public Instant updatedAt;

  /**
   * Starts, or starts over, the backfill of an audience, in the caller's transaction: created or
   * changed together with the audience, so a saved rule always gets its backfill.
   */
  public static Uni<Backfill> start(UUID audienceId) {
    return Backfill.<Backfill>findById(audienceId)
        .chain(
            found ->
                ProfileSnapshot.count()
                    .chain(
                        total -> {
                          Backfill backfill = found == null ? new Backfill() : found;
                          backfill.audienceId = audienceId;
                          backfill.generation++;
                          backfill.status = RUNNING;
                          backfill.cursor = "";
                          backfill.evaluated = 0;
                          backfill.total = total;
                          backfill.updatedAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
                          return found == null
                              ? backfill.persist()
                              : Uni.createFrom().item(backfill);
                        }));
  }

  /**
   * Records a page evaluated after {@code cursor}. Only the run that read the page from that cursor
   * in that generation counts it: a run of an older rule, or a second replica running the same
   * page, changes nothing (0 rows).
   */
  public static Uni<Integer> advance(
      UUID audienceId, long generation, String cursor, String last, int evaluated, boolean done) {
    return update(
        "evaluated = evaluated + ?1, cursor = ?2, status = ?3, updatedAt = ?4,"
            + " total = case when total < evaluated + ?1 then evaluated + ?1 else total end"
            + " where audienceId = ?5 and generation = ?6 and cursor = ?7",
        (long) evaluated,
        last,
        done ? DONE : RUNNING,
        Instant.now().truncatedTo(ChronoUnit.MICROS),
        audienceId,
        generation,
        cursor);
  }
}
