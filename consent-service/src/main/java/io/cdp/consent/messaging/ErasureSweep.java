package io.cdp.consent.messaging;

import io.cdp.consent.privacy.Erasures;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Every {@code cdp.privacy.sweep-interval}: publishes pending erasures again and fails those past
 * their deadline. Each replica sweeps; a repeat is harmless (services erase idempotently).
 */
@ApplicationScoped
public class ErasureSweep {

  private final Erasures erasures;

  public ErasureSweep(Erasures erasures) {
    this.erasures = erasures;
  }

  @Scheduled(
      every = "${cdp.privacy.sweep-interval}",
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  Uni<Void> sweep() {
    return erasures.sweep();
  }
}
