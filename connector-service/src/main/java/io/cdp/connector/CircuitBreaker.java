package io.cdp.connector;

/**
 * The circuit of one destination. Closed, every delivery may call it; after {@code threshold}
 * consecutive failed calls it opens and no call is made for {@code coolDown}; then it is half-open:
 * one call (the probe) may go, and its outcome closes the circuit or opens it again. Deliveries
 * kept from calling wait: an open circuit costs them no attempt, so none is dead-lettered because
 * of it.
 *
 * <p>The state changes only when asked ({@link #permit}) or told ({@link #succeeded}, {@link
 * #failed}, {@link #released}), so a circuit nobody uses stays open. Pure and thread-safe; times
 * are {@link System#nanoTime()} values passed in, so it has plain unit tests.
 */
public final class CircuitBreaker {

  /** Where a circuit is; {@link #wireName()} is how the API shows it. */
  public enum State {
    CLOSED("closed"),
    OPEN("open"),
    HALF_OPEN("half_open");

    private final String wireName;

    State(String wireName) {
      this.wireName = wireName;
    }

    public String wireName() {
      return wireName;
    }
  }

  private final int threshold;
  private final long coolDownNanos;
  private final long probeWaitNanos;
  private State state = State.CLOSED;
  private int consecutiveFailures;
  private long openUntil;
  private boolean probing;
  private long opened;

  /**
   * @param threshold consecutive failed calls that open the circuit
   * @param coolDownNanos how long an open circuit makes no call
   * @param probeWaitNanos how long a delivery waits before asking again while the probe is out
   */
  public CircuitBreaker(int threshold, long coolDownNanos, long probeWaitNanos) {
    this.threshold = threshold;
    this.coolDownNanos = coolDownNanos;
    this.probeWaitNanos = probeWaitNanos;
  }

  /**
   * 0 when a call may go now (half-open: this caller makes the probe and must report its outcome,
   * or {@link #released} if it makes no call), else how long to wait before asking again.
   */
  public synchronized long permit(long now) {
    if (state == State.CLOSED) {
      return 0;
    }
    if (state == State.OPEN) {
      if (now - openUntil < 0) {
        return openUntil - now;
      }
      state = State.HALF_OPEN;
      probing = false;
    }
    if (probing) {
      return probeWaitNanos;
    }
    probing = true;
    return 0;
  }

  /** A call answered: the destination works, the circuit closes. */
  public synchronized void succeeded() {
    state = State.CLOSED;
    consecutiveFailures = 0;
    probing = false;
  }

  /** A call failed: the probe's failure, or the threshold's, opens the circuit. */
  public synchronized void failed(long now) {
    if (state == State.OPEN) {
      return; // a call that started before the circuit opened: it is open already
    }
    consecutiveFailures++;
    if (state == State.HALF_OPEN || consecutiveFailures >= threshold) {
      state = State.OPEN;
      openUntil = now + coolDownNanos;
      probing = false;
      opened++;
    }
  }

  /** The permitted caller made no call after all (e.g. consent was denied): another may probe. */
  public synchronized void released() {
    probing = false;
  }

  public synchronized State state() {
    return state;
  }

  /** How many times the circuit opened. */
  public synchronized long opened() {
    return opened;
  }
}
