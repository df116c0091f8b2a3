package io.cdp.profile;

import java.time.Instant;

/**
 * The profile's current visit: a run of events with no gap longer than the visit timeout.
 *
 * @param startedAt time of the visit's first event
 * @param lastEventAt time of the visit's latest event
 * @param eventCount events seen in this visit
 * @param ended true once the visit scan found it timed out; the next event starts a new visit
 */
public record Visit(Instant startedAt, Instant lastEventAt, long eventCount, boolean ended) {}
