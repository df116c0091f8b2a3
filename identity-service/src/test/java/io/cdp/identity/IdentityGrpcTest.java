package io.cdp.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cdp.contracts.identity.v1.Identifier;
import io.cdp.contracts.identity.v1.Identity;
import io.cdp.contracts.identity.v1.LookupRequest;
import io.cdp.contracts.identity.v1.LookupResponse;
import io.cdp.contracts.identity.v1.ResolveRequest;
import io.cdp.contracts.identity.v1.ResolveResponse;
import io.cdp.localstack.LocalStackResource;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** The gRPC Identity service, called as another service would, on the HTTP port. */
@QuarkusTest
@WithTestResource(LocalStackResource.class)
class IdentityGrpcTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  @GrpcClient("identity")
  Identity identity;

  private static Identifier id(String type, String value) {
    return Identifier.newBuilder().setType(type).setValue(value).build();
  }

  private LookupResponse lookup(Identifier identifier) {
    return identity
        .lookup(LookupRequest.newBuilder().setIdentifier(identifier).build())
        .await()
        .atMost(WAIT);
  }

  @Test
  void resolveThenLookupAnswersTheProfileWithAllItsIdentifiers() {
    String user = "u-" + UUID.randomUUID();
    String email = user + "@example.com";
    ResolveResponse created =
        identity
            .resolve(
                ResolveRequest.newBuilder()
                    .addIdentifiers(id("user_id", user))
                    .addIdentifiers(id("email", email.toUpperCase()))
                    .addIdentifiers(id("anonymous_id", "anonymous"))
                    .build())
            .await()
            .atMost(WAIT);
    assertTrue(created.getCreated());

    LookupResponse found = lookup(id("email", email));
    assertEquals(created.getProfileId(), found.getProfileId());
    assertEquals(List.of(id("user_id", user), id("email", email)), found.getIdentifiersList());

    ResolveResponse again =
        identity
            .resolve(ResolveRequest.newBuilder().addIdentifiers(id("email", email)).build())
            .await()
            .atMost(WAIT);
    assertEquals(created.getProfileId(), again.getProfileId());
    assertFalse(again.getCreated());
  }

  @Test
  void anUnknownIdentifierHasAnEmptyProfileId() {
    LookupResponse unknown = lookup(id("user_id", "u-" + UUID.randomUUID()));
    assertEquals("", unknown.getProfileId());
    assertEquals(0, unknown.getIdentifiersCount());
  }

  @Test
  void resolvingOnlyBlockedValuesIsRefused() {
    Executable call =
        () ->
            identity
                .resolve(
                    ResolveRequest.newBuilder().addIdentifiers(id("anonymous_id", "0")).build())
                .await()
                .atMost(WAIT);
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call);
    assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
  }
}
