package io.cdp.common;

import io.smallrye.mutiny.Uni;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Calls for the same key at the same moment share one: the first starts it, the others get its
 * answer (or failure), and a call after it ended starts a new one. The answer comes on the context
 * of whoever started the call: callers that need their own emit on it themselves.
 *
 * @param <K> what a call is for
 * @param <V> its answer
 */
public final class SharedCalls<K, V> {

  private final Map<K, Uni<V>> running = new ConcurrentHashMap<>();

  /** The call for {@code key} under way, or {@code call} of it started when subscribed. */
  public Uni<V> call(K key, Function<K, Uni<V>> call) {
    return Uni.createFrom()
        .deferred(
            () ->
                running.computeIfAbsent(
                    key,
                    k ->
                        call.apply(k)
                            .onTermination()
                            .invoke(() -> running.remove(k))
                            .memoize()
                            .indefinitely()));
  }
}
