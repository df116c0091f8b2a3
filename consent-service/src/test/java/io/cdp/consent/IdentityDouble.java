package io.cdp.consent;

import io.cdp.contracts.identity.v1.Identifier;
import io.cdp.contracts.identity.v1.Identity;
import io.cdp.contracts.identity.v1.LookupRequest;
import io.cdp.contracts.identity.v1.LookupResponse;
import io.cdp.contracts.identity.v1.ResolveRequest;
import io.cdp.contracts.identity.v1.ResolveResponse;
import io.grpc.Status;
import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.Uni;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A test double of the identity service: a real gRPC {@code Identity} server in the test app
 * (served on its port), answering Lookup for the people a test registered with {@link #person} and
 * "unknown" for anything else, and counting the lookups ({@link #lookups}). The consent service
 * reaches it through its ordinary client.
 */
@GrpcService
public class IdentityDouble implements Identity {

  /** type:value (and profile_id:id) -> the person's profile id and identifiers. */
  private static final Map<String, LookupResponse> PEOPLE = new ConcurrentHashMap<>();

  private static final Map<String, AtomicInteger> LOOKUPS = new ConcurrentHashMap<>();

  /** How many times {@code identifier} (type:value, or profile_id:id) was looked up. */
  public static int lookups(String identifier) {
    AtomicInteger count = LOOKUPS.get(identifier);
    return count == null ? 0 : count.get();
  }

  /** Registers a person: a profile id and identifiers written type:value. */
  public static void person(String profileId, List<String> identifiers) {
    LookupResponse.Builder person = LookupResponse.newBuilder().setProfileId(profileId);
    identifiers.forEach(
        id -> {
          int colon = id.indexOf(':');
          person.addIdentifiers(
              Identifier.newBuilder()
                  .setType(id.substring(0, colon))
                  .setValue(id.substring(colon + 1)));
        });
    LookupResponse answer = person.build();
    PEOPLE.put("profile_id:" + profileId, answer);
    identifiers.forEach(id -> PEOPLE.put(id, answer));
  }

  /** Merges profile {@code mergedProfileId} into {@code survivingProfileId}, registered before. */
  public static void merged(String mergedProfileId, String survivingProfileId) {
    PEOPLE.put("profile_id:" + mergedProfileId, PEOPLE.get("profile_id:" + survivingProfileId));
  }

  @Override
  public Uni<LookupResponse> lookup(LookupRequest request) {
    Identifier asked = request.getIdentifier();
    LOOKUPS
        .computeIfAbsent(asked.getType() + ":" + asked.getValue(), k -> new AtomicInteger())
        .incrementAndGet();
    return Uni.createFrom()
        .item(
            PEOPLE.getOrDefault(
                asked.getType() + ":" + asked.getValue(), LookupResponse.getDefaultInstance()));
  }

  @Override
  public Uni<ResolveResponse> resolve(ResolveRequest request) {
    return Uni.createFrom().failure(Status.UNIMPLEMENTED.asRuntimeException());
  }
}
