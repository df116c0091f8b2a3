package io.cdp.consent.store;

import io.cdp.common.VertxContexts;
import io.quarkus.infinispan.client.Remote;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.infinispan.client.hotrod.RemoteCache;
import org.jboss.logging.Logger;

/**
 * How far the consent carried by {@code cdp.events.resolved} is applied, per partition: the
 * watermark is the offset below which every record's consent is in PostgreSQL and the cache. The
 * connector reads the same topic on its own, so a check caused by an event waits here until that
 * event is applied ({@link #awaitApplied}): which consumer is faster no longer decides.
 *
 * <p>The instance that consumes a partition publishes its watermark in the Infinispan cache {@code
 * consent-applied} (one write in flight per partition; later progress is written when it ends), so
 * a check answered by any instance can wait for it. Each instance keeps the highest watermark it
 * has seen: a check for an event already passed costs nothing. Every value written is true when
 * written, so a partition changing hands (the new owner restarts from the committed offset) can
 * only make checks wait longer, never let one through early.
 */
@ApplicationScoped
public class AppliedEvents {

  private static final Logger LOG = Logger.getLogger(AppliedEvents.class);

  /** First and longest pause between two reads of another instance's watermark (timers: >= 1). */
  private static final long FIRST_POLL_MILLIS = 1;

  private static final long LAST_POLL_MILLIS = 20;

  /** After a failed write, when to write again even if the partition gets no new record. */
  private static final long RETRY_WRITE_MILLIS = 200;

  /** Thrown when the events before a check's were not applied within its bound. */
  public static class NotAppliedException extends RuntimeException {
    NotAppliedException(String message) {
      super(message);
    }
  }

  /** One partition's watermark on its way to the cache. */
  private static final class Publication {
    final AtomicLong latest = new AtomicLong(-1);
    final AtomicBoolean writing = new AtomicBoolean();
  }

  private final RemoteCache<String, byte[]> cache;

  /** Partition -> the highest watermark known here (applied here, or read from the cache). */
  private final Map<Integer, Long> known = new ConcurrentHashMap<>();

  private final Map<Integer, Publication> publications = new ConcurrentHashMap<>();

  public AppliedEvents(@Remote("consent-applied") RemoteCache<String, byte[]> cache) {
    this.cache = cache;
  }

  /** Records that the record at {@code offset} of {@code partition}, and all before it, applied. */
  public void applied(int partition, long offset) {
    long watermark = offset + 1;
    known.merge(partition, watermark, Math::max);
    Publication publication = publications.computeIfAbsent(partition, p -> new Publication());
    publication.latest.accumulateAndGet(watermark, Math::max);
    publish(partition, publication);
  }

  /**
   * Completes once the record at {@code offset} of {@code partition} and every earlier one are
   * applied; fails with {@link NotAppliedException} after {@code bound}. Emits on the caller's
   * Vert.x context.
   */
  public Uni<Void> awaitApplied(int partition, long offset, Duration bound) {
    if (passed(partition, offset)) {
      return Uni.createFrom().voidItem();
    }
    Executor here = VertxContexts.callerContext();
    long deadline = System.nanoTime() + bound.toNanos();
    return poll(partition, offset, deadline, FIRST_POLL_MILLIS).emitOn(here);
  }

  private Uni<Void> poll(int partition, long offset, long deadline, long pauseMillis) {
    Uni<Void> read =
        passed(partition, offset)
            ? Uni.createFrom().voidItem()
            : Uni.createFrom()
                .completionStage(() -> cache.getAsync(key(partition)))
                .invoke(
                    bytes -> {
                      if (bytes != null) {
                        known.merge(partition, ByteBuffer.wrap(bytes).getLong(), Math::max);
                      }
                    })
                .replaceWithVoid();
    return read.flatMap(
        ignored -> {
          if (passed(partition, offset)) {
            return Uni.createFrom().voidItem();
          }
          if (System.nanoTime() - deadline >= 0) {
            return Uni.createFrom()
                .failure(
                    new NotAppliedException(
                        "The consent carried by cdp.events.resolved up to partition "
                            + partition
                            + " offset "
                            + offset
                            + " is not applied yet"));
          }
          long next = Math.min(pauseMillis * 2, LAST_POLL_MILLIS);
          return Uni.createFrom()
              .voidItem()
              .onItem()
              .delayIt()
              .by(Duration.ofMillis(pauseMillis))
              .flatMap(again -> poll(partition, offset, deadline, next));
        });
  }

  private boolean passed(int partition, long offset) {
    Long watermark = known.get(partition);
    return watermark != null && watermark > offset;
  }

  /** Writes the partition's latest watermark unless a write is under way (it writes it after). */
  private void publish(int partition, Publication publication) {
    if (!publication.writing.compareAndSet(false, true)) {
      return;
    }
    long watermark = publication.latest.get();
    byte[] value = ByteBuffer.allocate(Long.BYTES).putLong(watermark).array();
    cache
        .putAsync(key(partition), value)
        .whenComplete(
            (ignored, failure) -> {
              publication.writing.set(false);
              if (failure != null) {
                // Checks elsewhere wait meanwhile (and fail after their bound): write again soon.
                LOG.warnf(
                    failure, "Could not publish the applied offset of partition %d", partition);
                CompletableFuture.delayedExecutor(RETRY_WRITE_MILLIS, TimeUnit.MILLISECONDS)
                    .execute(() -> publish(partition, publication));
              } else if (publication.latest.get() > watermark) {
                publish(partition, publication);
              }
            });
  }

  private static String key(int partition) {
    return "cdp.events.resolved/" + partition;
  }
}
