package io.cdp.consent;

import com.iabtcf.decoder.TCString;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * IAB TCF v2 consent strings ({@code tcf} in a consent update, {@code context.consent.tcf} or
 * {@code gdpr_consent} in events): decoded with {@code com.iabtcf:iabtcf-decoder} and mapped to our
 * purposes by configuration ({@code cdp.consent.tcf.<purpose>=<TCF purpose ids>}). One of our
 * purposes is granted only if the string consents to every TCF purpose it is mapped to: TCF
 * purposes are narrower than ours, and a purpose of ours needs all the processing it stands for.
 * Pure: no I/O.
 */
public final class TcfConsent {

  /** The core segment's fields this service uses, read eagerly so a bad string fails at once. */
  public record Decoded(
      int version,
      Instant created,
      Instant updated,
      int cmpId,
      int vendorListVersion,
      Set<Integer> purposesConsent,
      Set<Integer> purposesLegitimateInterest,
      Set<Integer> specialFeatures,
      Set<Integer> vendorConsents) {}

  /** A TC string that is not a decodable TCF v2 string. */
  public static class InvalidTcfException extends IllegalArgumentException {
    public InvalidTcfException(String message) {
      super(message);
    }
  }

  private final Map<String, List<Integer>> tcfPurposesByPurpose;

  /** {@code tcfPurposesByPurpose}: our purpose -> the TCF purpose ids (1-24) it needs. */
  public TcfConsent(Map<String, List<Integer>> tcfPurposesByPurpose) {
    tcfPurposesByPurpose.forEach(
        (purpose, ids) -> {
          if (ids.isEmpty() || ids.stream().anyMatch(id -> id < 1 || id > 24)) {
            throw new IllegalArgumentException(
                "cdp.consent.tcf." + purpose + " must list TCF purpose ids from 1 to 24: " + ids);
          }
        });
    this.tcfPurposesByPurpose = new TreeMap<>(tcfPurposesByPurpose);
  }

  /** Decodes a TC string; fails with a message a client can act on when it is not one. */
  public static Decoded decode(String tcString) {
    if (tcString == null || tcString.isBlank()) {
      throw new InvalidTcfException("The TC string is empty");
    }
    TCString tc;
    try {
      tc = TCString.decode(tcString.trim());
      if (tc.getVersion() != 2) {
        throw new InvalidTcfException(
            "Only TCF v2 strings are accepted; this one is version " + tc.getVersion());
      }
      // The decoder reads lazily: every field is read here, inside the try, so that a
      // truncated or corrupt string is refused now rather than failing later.
      return new Decoded(
          tc.getVersion(),
          tc.getCreated(),
          tc.getLastUpdated(),
          tc.getCmpId(),
          tc.getVendorListVersion(),
          new TreeSet<>(tc.getPurposesConsent().toSet()),
          new TreeSet<>(tc.getPurposesLITransparency().toSet()),
          new TreeSet<>(tc.getSpecialFeatureOptIns().toSet()),
          new TreeSet<>(tc.getVendorConsent().toSet()));
    } catch (InvalidTcfException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new InvalidTcfException(
          "Not a valid IAB TCF v2 consent string ("
              + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage())
              + ")");
    }
  }

  /** Our purposes the string decides, each granted if all its TCF purposes have consent. */
  public Map<String, Boolean> choices(Decoded decoded) {
    Map<String, Boolean> choices = new TreeMap<>();
    tcfPurposesByPurpose.forEach(
        (purpose, ids) -> choices.put(purpose, decoded.purposesConsent().containsAll(ids)));
    return choices;
  }
}
