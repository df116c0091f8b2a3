package io.cdp.connector;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Connector secrets and the {@code X-CDP-Signature} header. The HMAC key is the secret exactly as
 * shown at creation (its UTF-8 bytes), so a receiver verifies with the string it was given.
 */
public final class Signatures {

  private static final SecureRandom RANDOM = new SecureRandom();

  /** A new signing secret: 32 random bytes, URL-safe base64 (43 characters). */
  public static String newSecret() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** The header value for {@code body}: {@code sha256=<hex HMAC-SHA256>}. */
  public static String header(String secret, byte[] body) {
    return "sha256=" + hmacSha256Hex(secret.getBytes(StandardCharsets.UTF_8), body);
  }

  /** Lower-case hex HMAC-SHA256 of {@code data} under {@code key}. */
  public static String hmacSha256Hex(byte[] key, byte[] data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(data));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is unavailable", e);
    }
  }

  private Signatures() {}
}
