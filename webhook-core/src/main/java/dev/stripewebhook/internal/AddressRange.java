// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.internal;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * An IPv4 or IPv6 address or CIDR range. Only literals are parsed: a host name is an error, never a
 * DNS lookup.
 *
 * <p>Not API: may change in any release.
 */
public final class AddressRange {
  private static final String STRIPE_LIST = "stripe-webhook-ips.txt";

  private final byte[] network;
  private final int prefix;
  private final String text;

  private AddressRange(byte[] network, int prefix, String text) {
    this.network = network;
    this.prefix = prefix;
    this.text = text;
  }

  /**
   * Parses {@code 192.0.2.1}, {@code 192.0.2.0/24}, {@code 2001:db8::1} or {@code 2001:db8::/32}.
   *
   * @throws IllegalArgumentException when it is none of these
   */
  public static AddressRange parse(String text) {
    String trimmed = text.trim();
    int slash = trimmed.indexOf('/');
    byte[] address = literal(slash < 0 ? trimmed : trimmed.substring(0, slash));
    if (address == null) {
      throw new IllegalArgumentException("'" + text + "' is not an IP address or CIDR range");
    }
    int bits = address.length * 8;
    int prefix = bits;
    if (slash >= 0) {
      try {
        prefix = Integer.parseInt(trimmed.substring(slash + 1));
      } catch (NumberFormatException e) {
        prefix = -1;
      }
      if (prefix < 0 || prefix > bits) {
        throw new IllegalArgumentException("'" + text + "' has a prefix length outside 0.." + bits);
      }
    }
    return new AddressRange(address, prefix, trimmed);
  }

  /** Parses each, expanding {@code stripe} to Stripe's webhook addresses. */
  public static List<AddressRange> parseAll(List<String> texts, String stripeIpsFile) {
    List<AddressRange> ranges = new ArrayList<>();
    for (String text : texts) {
      if (text.equalsIgnoreCase("stripe")) {
        ranges.addAll(stripe(stripeIpsFile));
      } else {
        ranges.add(parse(text));
      }
    }
    return List.copyOf(ranges);
  }

  /** Stripe's webhook addresses: the bundled list, or the file's when one is given. */
  public static List<AddressRange> stripe(String file) {
    try (InputStream in =
        file == null
            ? AddressRange.class.getResourceAsStream(STRIPE_LIST)
            : Files.newInputStream(Path.of(file))) {
      BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
      List<AddressRange> ranges = new ArrayList<>();
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        String content = line.replaceFirst("#.*", "").trim();
        if (!content.isEmpty()) {
          ranges.add(parse(content));
        }
      }
      if (ranges.isEmpty()) {
        throw new IllegalArgumentException(
            "the list of Stripe's addresses " + (file == null ? STRIPE_LIST : file) + " is empty");
      }
      return ranges;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the list of Stripe's addresses " + file, e);
    }
  }

  /** The bytes of an address literal (4 or 16), or null when {@code text} is not one. */
  public static byte[] literal(String text) {
    if (text.isEmpty() || text.length() > 64) {
      return null;
    }
    if (text.indexOf(':') < 0) {
      return ipv4(text);
    }
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.digit(c, 16) < 0 && c != ':' && c != '.') {
        return null; // not an IPv6 literal: nothing else may reach InetAddress
      }
    }
    try {
      // With a ':' and hex digits only, InetAddress parses a literal and never resolves a name.
      return InetAddress.getByName(text).getAddress();
    } catch (UnknownHostException e) {
      return null;
    }
  }

  private static byte[] ipv4(String text) {
    String[] parts = text.split("\\.", -1);
    if (parts.length != 4) {
      return null;
    }
    byte[] bytes = new byte[4];
    for (int i = 0; i < 4; i++) {
      String part = parts[i];
      if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(Character::isDigit)) {
        return null;
      }
      int value = Integer.parseInt(part);
      if (value > 255) {
        return null;
      }
      bytes[i] = (byte) value;
    }
    return bytes;
  }

  /** Whether {@code address} (4 or 16 bytes) is in this range. */
  public boolean contains(byte[] address) {
    if (address == null || address.length != network.length) {
      return false;
    }
    int full = prefix / 8;
    for (int i = 0; i < full; i++) {
      if (address[i] != network[i]) {
        return false;
      }
    }
    int rest = prefix % 8;
    if (rest == 0) {
      return true;
    }
    int mask = 0xff << (8 - rest) & 0xff;
    return (address[full] & mask) == (network[full] & mask);
  }

  @Override
  public String toString() {
    return text;
  }
}
