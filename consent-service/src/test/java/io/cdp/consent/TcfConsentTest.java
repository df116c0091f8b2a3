package io.cdp.consent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cdp.consent.TcfConsent.Decoded;
import io.cdp.consent.TcfConsent.InvalidTcfException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * TC strings from the IAB's examples and decoder test suites, with the values those suites document
 * for them.
 */
class TcfConsentTest {

  /** Encoded with the IAB's reference encoder (iabtcf.com): CMP 675, vendor list 15. */
  static final String CMP_675 = "COtybn4PA_zT4KjACBENAPCIAEBAAECAAIAAAAAAAAAA";

  /** Consent to TCF purposes 3 to 9 and vendors 23, 37, 47, 48, 53, 65 and 98. */
  static final String PURPOSES_3_TO_9 =
      "COrEAV4OrXx94ACABBENAHCIAD-AAAAAAACAAxAAAAgAIAwgAgAAAAEAgQAAAAAEAYQAQAAAACAAAABAAA";

  /** A CMP's real string (CMP 10) with a publisher segment: consent to purposes 1 to 10. */
  static final String ALL_PURPOSES =
      "CO4xE1AO4xE1AAKALANLA0CsAP_AAH_AABpYGYtd_X9fb2vj-_5999t0eY1f9_63v-wzjgeNs-8NyZ_X_L4Xr2Myv"
          + "B34pq4KmR4Eu3LBAQVlHGHcTQmQwIkVqTLsak2Mq7NKJ7JEilMbM2dYGG1Pn8XTuZCY70_sf__z_3-_-___67Y"
          + "GXkEmGpfAQJCWMBJNmlUKIEIVxIVAOACihGFo0sNCRwU7K4CPUACABAYgIwIgQYgoxZBAAAAAElEQAkAwIBEAR"
          + "AIAAQArQEIACJAEFgBIGAQACoGhYARRBKBIQZHBUcogQFSLRQTzRgAA.f_gAAAAAAAAA";

  /** The service's default mapping (application.properties). */
  private final TcfConsent defaults =
      new TcfConsent(
          Map.of(
              "advertising", List.of(1, 2, 3, 4, 7),
              "personalization", List.of(1, 5, 6),
              "analytics", List.of(1, 8, 9, 10)));

  @Test
  void theCoreSegmentIsDecodedAsTheIabDocumentsIt() {
    Decoded decoded = TcfConsent.decode(CMP_675);
    assertEquals(2, decoded.version());
    assertEquals(Instant.parse("2020-01-26T17:01:00Z"), decoded.created());
    assertEquals(Instant.parse("2021-02-02T17:01:00Z"), decoded.updated());
    assertEquals(675, decoded.cmpId());
    assertEquals(15, decoded.vendorListVersion());
  }

  @Test
  void purposeAndVendorConsentsAreDecoded() {
    Decoded decoded = TcfConsent.decode(PURPOSES_3_TO_9);
    assertEquals(Set.of(3, 4, 5, 6, 7, 8, 9), decoded.purposesConsent());
    assertTrue(decoded.vendorConsents().containsAll(Set.of(23, 37, 47, 48, 53, 65, 98)));
  }

  @Test
  void aPurposeOfOursIsGrantedOnlyIfEveryTcfPurposeItNeedsIs() {
    // Without TCF purpose 1 (storing on the device) none of the default mappings is satisfied
    assertEquals(
        Map.of("advertising", false, "personalization", false, "analytics", false),
        defaults.choices(TcfConsent.decode(PURPOSES_3_TO_9)));
    assertEquals(
        Map.of("advertising", true, "personalization", true, "analytics", true),
        defaults.choices(TcfConsent.decode(ALL_PURPOSES)));

    TcfConsent withoutDeviceAccess =
        new TcfConsent(Map.of("personalization", List.of(5, 6), "advertising", List.of(2, 3)));
    assertEquals(
        Map.of("personalization", true, "advertising", false),
        withoutDeviceAccess.choices(TcfConsent.decode(PURPOSES_3_TO_9)));
  }

  @Test
  void malformedStringsAreRefusedWithAClearMessage() {
    for (String bad :
        new String[] {"not a tc string", "COtybn4PA_zT4", "", "  ", CMP_675.substring(0, 16)}) {
      InvalidTcfException e =
          assertThrows(InvalidTcfException.class, () -> TcfConsent.decode(bad), bad);
      assertTrue(
          e.getMessage().startsWith("Not a valid IAB TCF v2 consent string")
              || e.getMessage().equals("The TC string is empty"),
          e.getMessage());
    }
    InvalidTcfException v1 =
        assertThrows(
            InvalidTcfException.class,
            () -> TcfConsent.decode("BOQ7WlgOQ7WlgABACDENABwAAABJOACgACAAQABA"));
    assertEquals("Only TCF v2 strings are accepted; this one is version 1", v1.getMessage());
  }

  @Test
  void aMappingToTcfPurposesOutsideOneToTwentyFourIsAConfigurationError() {
    assertThrows(
        IllegalArgumentException.class, () -> new TcfConsent(Map.of("advertising", List.of(0))));
    assertThrows(
        IllegalArgumentException.class, () -> new TcfConsent(Map.of("advertising", List.of())));
  }
}
