package io.cdp.audience.store;

import java.util.List;
import org.infinispan.protostream.annotations.Proto;

/**
 * The value of the {@code memberships} cache: a profile's audience ids as of profile version {@code
 * version} and re-evaluation {@code round}. Trusted only when both are the ones PostgreSQL last
 * recorded ({@link ProfileState}).
 */
@Proto
public record MembershipSet(long version, List<String> audienceIds, long round) {}
