package io.cdp.consent;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.cdp.consent.store.ConsentCache;
import io.cdp.consent.store.ConsentStore;
import io.cdp.contracts.ProtoTime;
import io.cdp.contracts.consent.v1.CheckRequest;
import io.cdp.contracts.consent.v1.Consent;
import io.cdp.contracts.consent.v1.ConsentChange;
import io.cdp.localstack.LocalStackResource;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.infinispan.client.Remote;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusMock;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.infinispan.client.hotrod.RemoteCache;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Infinispan cache holds every current state, so checks never read PostgreSQL once it is
 * loaded; it is loaded again when it loses them (as when Infinispan restarts), and what other
 * instances write to it counts here. PostgreSQL reads of states are counted by a store that counts
 * its {@code findAll} calls, the only way states are read for checks.
 */
@QuarkusTest
@WithTestResource(LocalStackResource.class)
class ConsentCacheTest {

  private static final String ADMIN = "Bearer test-admin-token";

  /** The store, counting its reads of states for checks, and of pages for loading the cache. */
  static class CountingStore extends ConsentStore {
    final AtomicInteger reads = new AtomicInteger();
    final AtomicInteger pages = new AtomicInteger();

    @Override
    public Uni<Map<String, ConsentChange>> findAll(Collection<String> subjects) {
      reads.incrementAndGet();
      return super.findAll(subjects);
    }

    @Override
    public Uni<List<ConsentChange>> page(String after, int size) {
      pages.incrementAndGet();
      return super.page(after, size);
    }
  }

  @GrpcClient("consent")
  Consent consent;

  @Inject
  @Remote("consent")
  RemoteCache<String, byte[]> cache;

  private final CountingStore store = new CountingStore();

  @BeforeEach
  void countReads() {
    QuarkusMock.installMockForType(store, ConsentStore.class);
  }

  @Test
  void aCheckOfSomeoneWithoutConsentReadsNothingFromPostgres() {
    awaitLoaded();
    String granted = "user_id:" + UUID.randomUUID();
    put(granted, true);

    assertEquals(false, check("user_id:" + UUID.randomUUID()));
    assertEquals(false, check("email:" + UUID.randomUUID() + "@example.com"));
    assertEquals(true, check(granted));
    assertEquals(0, store.reads.get());
  }

  @Test
  void statesOnlyPostgresHoldsAreLoadedWhenTheCacheLostThem() {
    String granted = "user_id:" + UUID.randomUUID();
    String withdrawn = "user_id:" + UUID.randomUUID();
    put(granted, true);
    put(withdrawn, false);

    // As when Infinispan restarts: every state and the loaded marker are gone
    cache.clear();
    // Until the cache is loaded again, checks read PostgreSQL
    assertEquals(true, check(granted));
    awaitLoaded();

    assertNotNull(cache.get(granted));
    assertNotNull(cache.get(withdrawn));
    int readsBefore = store.reads.get();
    assertEquals(true, check(granted));
    assertEquals(false, check(withdrawn));
    assertEquals(false, check("user_id:" + UUID.randomUUID()));
    assertEquals(readsBefore, store.reads.get());
  }

  @Test
  void whileAnotherInstanceLoadsTheCacheChecksReadPostgresAndItsLoadIsTakenOverIfItStops() {
    String granted = "user_id:" + UUID.randomUUID();
    put(granted, true);
    cache.clear();
    // Another instance is loading (it holds the lock) and stops before it is done
    cache.put(
        "consent-cache-loader",
        "another-instance".getBytes(StandardCharsets.UTF_8),
        3,
        TimeUnit.SECONDS);

    assertEquals(true, check(granted));
    assertEquals(true, check(granted));
    sleep(Duration.ofMillis(500));
    assertNull(cache.get(ConsentCache.LOADED));
    assertEquals(2, store.reads.get());
    assertEquals(0, store.pages.get());

    // Its lock lapses: a check notices that the cache is still not loaded and this instance loads
    awaitUntil(
        () -> check(granted) && cache.containsKey(ConsentCache.LOADED), Duration.ofSeconds(15));
    int readsBefore = store.reads.get();
    assertEquals(true, check(granted));
    assertEquals(readsBefore, store.reads.get());
  }

  @Test
  void aChangeAnotherInstanceWroteCountsHereOnceItsCacheEventArrives() {
    awaitLoaded();
    String subject = "user_id:" + UUID.randomUUID();
    assertEquals(false, check(subject));

    // What another instance writes after committing a grant to PostgreSQL
    ConsentChange grant =
        ConsentChange.newBuilder()
            .setSubject(subject)
            .putPurposes("advertising", true)
            .setSource("api")
            .setUpdatedAt(ProtoTime.timestamp(Instant.now()))
            .setVersion(1)
            .build();
    cache.put(subject, grant.toByteArray());

    awaitUntil(() -> check(subject), Duration.ofSeconds(2));
    assertEquals(0, store.reads.get());
  }

  private void awaitLoaded() {
    // Any check tells the service to load the cache if it is not loaded
    awaitUntil(
        () -> !check("user_id:" + UUID.randomUUID()) && cache.containsKey(ConsentCache.LOADED),
        Duration.ofSeconds(15));
    store.reads.set(0);
  }

  private static void awaitUntil(BooleanSupplier condition, Duration max) {
    long deadline = System.nanoTime() + max.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("Not so within " + max);
      }
      sleep(Duration.ofMillis(50));
    }
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private static void put(String subject, boolean advertising) {
    given()
        .header("Authorization", ADMIN)
        .contentType(ContentType.JSON)
        .body(Map.of("purposes", Map.of("advertising", advertising)))
        .put("/v1/consent/{identifier}", subject)
        .then()
        .statusCode(200);
  }

  /** Whether the subject allows advertising, by gRPC. */
  private boolean check(String identifier) {
    return consent
        .check(
            CheckRequest.newBuilder().setIdentifier(identifier).addPurposes("advertising").build())
        .await()
        .atMost(Duration.ofSeconds(10))
        .getAllowedOrThrow("advertising");
  }
}
