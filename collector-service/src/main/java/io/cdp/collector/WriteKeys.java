package io.cdp.collector;

import io.cdp.collector.store.Source;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Authenticates write keys. Sources live in PostgreSQL; known keys are cached in memory under their
 * SHA-256, and the final comparison is constant-time so response times reveal nothing.
 */
@ApplicationScoped
public class WriteKeys {

  private static final SecureRandom RANDOM = new SecureRandom();

  /** The authenticated source of a request. */
  public record SourceRef(String id, String name, boolean enabled, byte[] writeKey) {}

  private final Map<String, SourceRef> byDigest = new ConcurrentHashMap<>();

  /** A new write key: 32 random bytes, URL-safe base64 (43 characters). */
  public static String newWriteKey() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** The enabled source that owns {@code writeKey}, if any. */
  @WithSession
  public Uni<Optional<SourceRef>> authenticate(String writeKey) {
    if (writeKey == null || writeKey.isEmpty()) {
      return Uni.createFrom().item(Optional.empty());
    }
    String digest = digest(writeKey);
    SourceRef cached = byDigest.get(digest);
    Uni<SourceRef> ref =
        cached != null
            ? Uni.createFrom().item(cached)
            : Source.<Source>find("writeKey", writeKey)
                .firstResult()
                .map(source -> source == null ? null : remember(source));
    byte[] presented = writeKey.getBytes(StandardCharsets.UTF_8);
    return ref.map(
        source ->
            Optional.ofNullable(source)
                .filter(s -> MessageDigest.isEqual(s.writeKey(), presented))
                .filter(SourceRef::enabled));
  }

  /** Caches a source just created or read, so its key authenticates without a query. */
  public SourceRef remember(Source source) {
    SourceRef ref =
        new SourceRef(
            source.id.toString(),
            source.name,
            source.enabled,
            source.writeKey.getBytes(StandardCharsets.UTF_8));
    byDigest.put(digest(source.writeKey), ref);
    return ref;
  }

  private static String digest(String writeKey) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256")
                  .digest(writeKey.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
