package io.cdp.identity;

/**
 * Phone numbers to E.164 ({@code +<country code><number>}) where the input allows it. Pure.
 *
 * <ul>
 *   <li>A leading {@code +} or the international prefix {@code 00} marks a number that already has
 *       its country code: {@code "+49 151 1234-5678"} and {@code "0049 151 12345678"} both give
 *       {@code +4915112345678}.
 *   <li>A national number gets the default country code without its trunk {@code 0}: with {@code
 *       49}, {@code "0151 12345678"} gives {@code +4915112345678}.
 *   <li>Without a default country code a national number keeps its digits only, which still matches
 *       the same number written the same way.
 * </ul>
 */
public final class Phones {

  private Phones() {}

  /**
   * The number in E.164 where possible, else its digits; empty when it has no digits.
   *
   * @param defaultCountryCode digits of the calling code for national numbers, or empty
   */
  public static String normalise(String raw, String defaultCountryCode) {
    String value = raw.trim();
    String digits = value.replaceAll("[^0-9]", "");
    if (digits.isEmpty()) {
      return "";
    }
    if (value.startsWith("+")) {
      return "+" + digits;
    }
    if (digits.startsWith("00")) {
      return "+" + digits.substring(2);
    }
    if (defaultCountryCode.isEmpty()) {
      return digits;
    }
    return "+" + defaultCountryCode + (digits.startsWith("0") ? digits.substring(1) : digits);
  }
}
