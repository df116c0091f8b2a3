package io.cdp.collector;

import io.cdp.collector.config.CollectorConfig;
import io.cdp.collector.store.Source;
import io.cdp.common.Hashes;
import io.cdp.common.rest.ApiException;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Finds the source of a request: by write key (Segment API, gRPC) or by Tealium account/profile
 * pair. Sources live in PostgreSQL and are cached in memory for a while ({@link
 * io.cdp.collector.config.CollectorConfig#sourceCacheTtl}); write keys are cached under their
 * SHA-256 and the final comparison is constant-time, so response times reveal nothing about a key.
 * Unknown and disabled sources get 401.
 */
@ApplicationScoped
public class Sources {

  private static final SecureRandom RANDOM = new SecureRandom();

  /** The authenticated source of a request. */
  public record SourceRef(String id, String name, boolean enabled, byte[] writeKey) {}

  private record Cached(SourceRef ref, long loadedAtNanos) {}

  private final Map<String, Cached> byDigest = new ConcurrentHashMap<>();
  private final Map<String, Cached> byTealium = new ConcurrentHashMap<>();
  private final long ttlNanos;

  public Sources(CollectorConfig config) {
    this.ttlNanos = config.sourceCacheTtl().toNanos();
  }

  /** A new write key: 32 random bytes, URL-safe base64 (43 characters). */
  public static String newWriteKey() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** The enabled source that owns {@code writeKey}; fails with 401 otherwise. */
  public Uni<SourceRef> authenticate(String writeKey) {
    if (writeKey == null || writeKey.isEmpty()) {
      return Uni.createFrom().failure(unknown("write key"));
    }
    byte[] presented = writeKey.getBytes(StandardCharsets.UTF_8);
    return lookup(
            byDigest,
            digest(writeKey),
            () -> Source.<Source>find("writeKey", writeKey).firstResult())
        .map(
            source -> {
              if (source == null || !MessageDigest.isEqual(source.writeKey(), presented)) {
                throw unknown("write key");
              }
              return enabled(source);
            });
  }

  /** The enabled source bound to a Tealium account/profile pair; fails with 401 otherwise. */
  public Uni<SourceRef> byTealium(String account, String profile) {
    return lookup(
            byTealium,
            tealiumKey(account, profile),
            () ->
                Source.<Source>find("tealiumAccount = ?1 and tealiumProfile = ?2", account, profile)
                    .firstResult())
        .map(
            source -> {
              if (source == null) {
                throw new ApiException(
                    401,
                    "unknown_tealium_source",
                    "No source is bound to this tealium_account/tealium_profile pair",
                    "tealium_account");
              }
              return enabled(source);
            });
  }

  /** Caches a source just created, changed or read, so the next request sees it at once. */
  public SourceRef remember(Source source) {
    SourceRef ref =
        new SourceRef(
            source.id.toString(),
            source.name,
            source.enabled,
            source.writeKey.getBytes(StandardCharsets.UTF_8));
    Cached cached = new Cached(ref, System.nanoTime());
    byDigest.put(digest(source.writeKey), cached);
    if (source.tealiumAccount != null) {
      byTealium.put(tealiumKey(source.tealiumAccount, source.tealiumProfile), cached);
    }
    return ref;
  }

  private Uni<SourceRef> lookup(
      Map<String, Cached> cache, String key, Supplier<Uni<Source>> query) {
    Cached cached = cache.get(key);
    if (cached != null && System.nanoTime() - cached.loadedAtNanos() < ttlNanos) {
      return Uni.createFrom().item(cached.ref());
    }
    return Panache.withSession(query)
        .map(
            source -> {
              if (source == null) {
                cache.remove(key);
                return null;
              }
              return remember(source);
            });
  }

  private static SourceRef enabled(SourceRef source) {
    if (!source.enabled()) {
      throw new ApiException(401, "source_disabled", "This source is disabled", null);
    }
    return source;
  }

  private static ApiException unknown(String what) {
    return new ApiException(401, "invalid_write_key", "Unknown " + what, "writeKey");
  }

  private static String tealiumKey(String account, String profile) {
    return account + '\u0000' + profile;
  }

  private static String digest(String writeKey) {
    return Hashes.sha256Hex(writeKey);
  }
}
