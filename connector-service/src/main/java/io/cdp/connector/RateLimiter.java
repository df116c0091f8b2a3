package io.cdp.connector;

/**
 * At most {@code perSecond} calls a second to one destination, evenly spaced: a call may go when
 * the previous one went at least {@code 1 / perSecond} earlier. A permit is taken at the moment the
 * call goes, never reserved ahead, so deliveries that waited (or a pause of the service) are not
 * released as a burst. Pure and thread-safe; times are {@link System#nanoTime()} values.
 */
public final class RateLimiter {

  private final int perSecond;
  private final long intervalNanos;
  private long last;
  private boolean used;

  public RateLimiter(int perSecond) {
    if (perSecond <= 0) {
      throw new IllegalArgumentException("A rate limit is positive: " + perSecond);
    }
    this.perSecond = perSecond;
    this.intervalNanos = 1_000_000_000L / perSecond;
  }

  public int perSecond() {
    return perSecond;
  }

  /** 0 when a call may go now (and it is counted), else how long to wait before asking again. */
  public synchronized long permit(long now) {
    long wait = used ? last + intervalNanos - now : 0;
    if (wait > 0) {
      return wait;
    }
    used = true;
    last = now;
    return 0;
  }
}
