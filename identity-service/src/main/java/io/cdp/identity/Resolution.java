package io.cdp.identity;

import java.util.List;

/**
 * The outcome of resolving an event's identifiers.
 *
 * @param profileId the profile the event belongs to
 * @param created whether this resolution created the profile
 * @param identifiers the identifiers that were resolved, highest priority first
 */
public record Resolution(String profileId, boolean created, List<IdentifierRef> identifiers) {}
