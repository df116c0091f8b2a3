package io.cdp.audience.store;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;

/**
 * One writer per profile at a time. The Kafka partition makes the change consumer the only writer
 * of a profile's changes, but memberships are also written by the time scan, backfills and
 * erasures: each takes this PostgreSQL transaction lock first, so their read-evaluate-write steps
 * never interleave, also across replicas. A transaction locks one profile only, so none deadlocks.
 */
public final class ProfileLocks {

  /** Locks {@code profileId} until the current transaction ends. */
  public static Uni<Void> lock(String profileId) {
    return Panache.getSession()
        .chain(
            session ->
                session
                    .createNativeQuery(
                        "select count(*) from pg_advisory_xact_lock(hashtextextended(:id, 0))",
                        Long.class)
                    .setParameter("id", profileId)
                    .getSingleResult())
        .replaceWithVoid();
  }

  private ProfileLocks() {}
}
