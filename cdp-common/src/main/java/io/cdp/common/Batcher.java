package io.cdp.common;

import io.quarkus.vertx.core.runtime.context.VertxContextSafetyToggle;
import io.smallrye.common.vertx.VertxContext;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Many callers' small PostgreSQL operations run as one: what is submitted while a batch is being
 * written goes in the next one, one batch at a time, at most {@code maxBatch} items each. With
 * every service on one PostgreSQL, a statement (and a commit) per delivery or per event was what
 * held the pipeline back (./cdp bench pipeline).
 *
 * @param <I> what a caller submits
 * @param <O> what each caller gets back
 */
public final class Batcher<I, O> {

  private record Waiting<I, O>(I item, CompletableFuture<O> done) {}

  private final Vertx vertx;
  private final int maxBatch;
  private final Function<List<I>, Uni<List<O>>> write;
  private final List<Waiting<I, O>> waiting = new ArrayList<>();
  private boolean writing;

  /**
   * @param write runs one batch on a safe Vert.x duplicated context of its own (Hibernate Reactive
   *     needs one) and answers one result per item, in the items' order
   */
  public Batcher(Vertx vertx, int maxBatch, Function<List<I>, Uni<List<O>>> write) {
    this.vertx = vertx;
    this.maxBatch = maxBatch;
    this.write = write;
  }

  /**
   * {@code item}'s result once its batch is written; fails with the batch. Emits on the batch's
   * context: callers that need their own emit on it themselves.
   */
  public Uni<O> submit(I item) {
    return Uni.createFrom()
        .deferred(
            () -> {
              CompletableFuture<O> done = new CompletableFuture<>();
              boolean start;
              synchronized (this) {
                waiting.add(new Waiting<>(item, done));
                start = !writing;
                writing = true;
              }
              if (start) {
                writeNext();
              }
              return Uni.createFrom().completionStage(done);
            });
  }

  /** Writes what is waiting, then again while more came meanwhile. */
  private void writeNext() {
    List<Waiting<I, O>> batch;
    synchronized (this) {
      if (waiting.isEmpty()) {
        writing = false;
        return;
      }
      List<Waiting<I, O>> head = waiting.subList(0, Math.min(maxBatch, waiting.size()));
      batch = List.copyOf(head);
      head.clear();
    }
    Context context = VertxContext.createNewDuplicatedContext(vertx.getOrCreateContext());
    VertxContextSafetyToggle.setContextSafe(context, true);
    context.runOnContext(
        ignored ->
            Uni.createFrom()
                .deferred(() -> write.apply(batch.stream().map(Waiting::item).toList()))
                .subscribe()
                .with(results -> settle(batch, results, null), e -> settle(batch, null, e)));
  }

  /**
   * Answers a written batch's callers, then writes the next batch whatever happens here: a batcher
   * that stopped writing would leave every later caller waiting forever.
   */
  private void settle(List<Waiting<I, O>> batch, List<O> results, Throwable failure) {
    try {
      if (failure == null && results.size() != batch.size()) {
        failure =
            new IllegalStateException(
                "A batch of " + batch.size() + " answered " + results.size() + " results");
      }
      for (int i = 0; i < batch.size(); i++) {
        if (failure == null) {
          batch.get(i).done().complete(results.get(i));
        } else {
          batch.get(i).done().completeExceptionally(failure);
        }
      }
    } finally {
      writeNext();
    }
  }
}
