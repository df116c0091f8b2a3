package io.cdp.common;

import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * Hibernate Reactive must be used from the Vert.x context that opened the session, but Hot Rod
 * calls and Kafka acknowledgements complete on their own threads: these hand such results back to
 * the caller's context.
 */
public final class VertxContexts {

  /** Runs tasks on the Vert.x context of the caller, or directly when there is none. */
  public static Executor callerContext() {
    Context context = Vertx.currentContext();
    return context == null ? Runnable::run : task -> context.runOnContext(ignored -> task.run());
  }

  /** {@code uni}, emitting on the Vert.x context of the caller. */
  public static <T> Uni<T> onCallerContext(Uni<T> uni) {
    return uni.emitOn(callerContext());
  }

  /**
   * Starts {@code operation} when subscribed and emits its result on the Vert.x context of the
   * subscriber.
   */
  public static <T> Uni<T> onCallerContext(Supplier<CompletionStage<T>> operation) {
    return Uni.createFrom()
        .deferred(() -> onCallerContext(Uni.createFrom().completionStage(operation)));
  }

  private VertxContexts() {}
}
