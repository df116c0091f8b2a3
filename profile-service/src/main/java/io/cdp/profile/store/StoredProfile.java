package io.cdp.profile.store;

import java.util.List;
import org.infinispan.protostream.annotations.Proto;

/**
 * A live profile as the {@code profiles} cache holds it (protostream-encoded). Traits and
 * attributes stay JSON text because they are free-form and their numbers must stay exact; times are
 * epoch microseconds, 0 when unset. Fields are only ever added, so older entries still read.
 */
@Proto
public record StoredProfile(
    String profileId,
    List<String> identifiers,
    String traitsJson,
    String attributesJson,
    long visitStartedAt,
    long visitLastEventAt,
    long visitEventCount,
    long version,
    long updatedAt,
    List<String> recentMessageIds,
    List<String> badges,
    boolean visitEnded) {}
