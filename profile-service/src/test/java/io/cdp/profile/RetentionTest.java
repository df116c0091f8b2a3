package io.cdp.profile;

import static io.cdp.profile.ProfileTestSupport.ADMIN;
import static io.cdp.profile.ProfileTestSupport.WAIT;
import static io.cdp.profile.ProfileTestSupport.awaitProfile;
import static io.cdp.profile.ProfileTestSupport.awaitStoredVersion;
import static io.cdp.profile.ProfileTestSupport.event;
import static io.cdp.profile.ProfileTestSupport.id;
import static io.cdp.profile.ProfileTestSupport.pause;
import static io.cdp.profile.ProfileTestSupport.send;
import static io.cdp.profile.ProfileTestSupport.storedIdentifiers;
import static io.cdp.profile.ProfileTestSupport.storedVersion;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.cdp.localstack.LocalStackResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Profiles not updated within the retention are deleted; here the retention is 3 seconds. */
@QuarkusTest
@TestProfile(RetentionTest.ShortRetention.class)
@WithTestResource(LocalStackResource.class)
class RetentionTest {

  /** A retention short enough to wait for, scanned every second. */
  public static class ShortRetention implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "cdp.profile.retention", "3s",
          "cdp.profile.retention-scan-interval", "1s");
    }
  }

  @Inject Pool database;

  @Test
  void aProfileNotUpdatedWithinTheRetentionIsDeletedFromCacheAndStore() {
    String profileId = "p-" + UUID.randomUUID();
    String userId = "u-" + UUID.randomUUID();
    send(profileId, event("page", Instant.now(), "{}"), id("user_id", userId));
    awaitProfile("user_id:" + userId, r -> true);
    awaitStoredVersion(database, profileId, 1);

    long deadline = System.nanoTime() + WAIT.toNanos();
    int status = 200;
    while (status != 404 && System.nanoTime() < deadline) {
      pause();
      status =
          given().header("Authorization", ADMIN).get("/v1/profiles/user_id:" + userId).statusCode();
    }
    assertEquals(404, status);
    assertNull(storedVersion(database, profileId));
    assertEquals(0, storedIdentifiers(database, profileId));
  }
}
