package io.cdp.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cdp.contracts.identity.v1.Identifier;
import io.cdp.contracts.identity.v1.Identity;
import io.cdp.contracts.identity.v1.IdentityMerge;
import io.cdp.contracts.identity.v1.LookupRequest;
import io.cdp.contracts.identity.v1.ResolveRequest;
import io.cdp.contracts.identity.v1.ResolveResponse;
import io.cdp.localstack.LocalStackResource;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Resolutions that link the same profiles at the same moment, as events on different partitions (or
 * several instances) would: they must end on one profile, merged once, never in a cycle.
 */
@QuarkusTest
@WithTestResource(LocalStackResource.class)
class ConcurrentMergeTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final int ROUNDS = 8;

  @GrpcClient("identity")
  Identity identity;

  private static Identifier crm(String value) {
    return Identifier.newBuilder().setType("crm_id").setValue(value).build();
  }

  private Uni<ResolveResponse> resolve(Identifier... ids) {
    return identity.resolve(ResolveRequest.newBuilder().addAllIdentifiers(List.of(ids)).build());
  }

  private String lookup(Identifier id) {
    return identity
        .lookup(LookupRequest.newBuilder().setIdentifier(id).build())
        .await()
        .atMost(WAIT)
        .getProfileId();
  }

  private String profileOfId(String profileId) {
    return lookup(Identifier.newBuilder().setType("profile_id").setValue(profileId).build());
  }

  @Test
  void twoProfilesLinkedConcurrentlyEndAsOneWithOneMerge() {
    for (int round = 0; round < ROUNDS; round++) {
      Identifier x = crm("x-" + UUID.randomUUID());
      Identifier y = crm("y-" + UUID.randomUUID());
      String older = resolve(x).await().atMost(WAIT).getProfileId();
      String newer = resolve(y).await().atMost(WAIT).getProfileId();

      List<ResolveResponse> answers =
          Uni.join()
              .all(resolve(x, y), resolve(y, x), resolve(y, x), resolve(x, y))
              .andFailFast()
              .await()
              .atMost(WAIT);

      for (ResolveResponse answer : answers) {
        assertEquals(older, answer.getProfileId(), "round " + round);
      }
      assertEquals(older, lookup(x));
      assertEquals(older, lookup(y));
      assertEquals(older, profileOfId(newer));
      List<IdentityMerge> merges = MergeRecords.involving(newer);
      assertEquals(1, merges.size(), "round " + round + ": " + merges);
      assertEquals(older, merges.get(0).getSurvivingProfileId());
      assertEquals(List.of(newer), merges.get(0).getMergedProfileIdsList());
    }
  }

  @Test
  void threeProfilesLinkedConcurrentlyInACircleEndAsOne() {
    for (int round = 0; round < ROUNDS; round++) {
      Identifier a = crm("a-" + UUID.randomUUID());
      Identifier b = crm("b-" + UUID.randomUUID());
      Identifier c = crm("c-" + UUID.randomUUID());
      String oldest = resolve(a).await().atMost(WAIT).getProfileId();
      List<String> others =
          List.of(
              resolve(b).await().atMost(WAIT).getProfileId(),
              resolve(c).await().atMost(WAIT).getProfileId());

      Uni.join()
          .all(resolve(a, b), resolve(b, c), resolve(c, a), resolve(c, b))
          .andFailFast()
          .await()
          .atMost(WAIT);

      for (Identifier id : List.of(a, b, c)) {
        assertEquals(oldest, lookup(id), "round " + round);
      }
      // Each of the other two profiles was merged exactly once, and no chain loops.
      List<String> merged = new ArrayList<>();
      List<IdentityMerge> merges =
          MergeRecords.upToNow(
              m -> others.stream().anyMatch(o -> m.getMergedProfileIdsList().contains(o)));
      for (String other : others) {
        assertEquals(oldest, profileOfId(other));
      }
      merges.forEach(m -> merged.addAll(m.getMergedProfileIdsList()));
      assertEquals(Set.copyOf(others), Set.copyOf(merged), "round " + round + ": " + merges);
      assertEquals(2, merged.size(), "round " + round + ": " + merges);
      assertTrue(merges.stream().noneMatch(m -> m.getMergedProfileIdsList().contains(oldest)));
    }
  }
}
