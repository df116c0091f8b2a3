package io.cdp.audience.store;

import java.util.List;
import org.infinispan.protostream.annotations.Proto;

/**
 * The value of the {@code memberships} cache: a profile's audience ids as of profile version {@code
 * version}. Trusted only when that version is the one PostgreSQL last recorded.
 */
@Proto
public record MembershipSet(long version, List<String> audienceIds) {}
