// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.internal;

import dev.stripewebhook.WebhookConfig;
import dev.stripewebhook.internal.AddressRange;
import dev.stripewebhook.Delivery;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The client address of a request, and whether it may post. {@code Forwarded} (RFC 7239) and
 * {@code X-Forwarded-For} are believed only when the direct peer is a trusted proxy; then the
 * client is the rightmost address of the chain that is not a trusted proxy, since everything to
 * its left was written by the client itself and may be forged.
 *
 * <p>Not API: may change in any release.
 */
public final class ClientAddresses {
  private final List<AddressRange> allowed;
  private final List<AddressRange> trusted;

  private ClientAddresses(List<AddressRange> allowed, List<AddressRange> trusted) {
    this.allowed = allowed;
    this.trusted = trusted;
  }

  /**
   * From {@link WebhookConfig#allowedIps()} and {@link WebhookConfig#trustedProxies()}.
   *
   * @throws IllegalArgumentException naming the key when an entry is not an address or range
   */
  public static ClientAddresses from(WebhookConfig config) {
    return new ClientAddresses(
        ranges(WebhookConfig.Keys.ALLOWED_IPS, config.allowedIps(), config.stripeIpsFile()),
        ranges(WebhookConfig.Keys.TRUSTED_PROXIES, config.trustedProxies(),
            config.stripeIpsFile()));
  }

  private static List<AddressRange> ranges(String key, List<String> texts, String stripeIpsFile) {
    try {
      return AddressRange.parseAll(texts, stripeIpsFile);
    } catch (IllegalArgumentException | UncheckedIOException e) {
      throw new IllegalArgumentException(key + ": " + e.getMessage(), e);
    }
  }

  /** Whether {@code client} may post: always, when no allow-list is configured. */
  public boolean allowed(String client) {
    return allowed.isEmpty() || in(allowed, AddressRange.literal(client));
  }

  /** Whether the request's client may post. */
  boolean allowed(Delivery request) {
    return allowed(client(request));
  }

  /** The client's address as text; a forged or obfuscated entry comes back as written. */
  public String client(Delivery request) {
    String peer = request.peerAddress();
    if (trusted.isEmpty() || !in(trusted, AddressRange.literal(peer))) {
      return peer;
    }
    List<String> chain = forwardedChain(request);
    for (int i = chain.size() - 1; i >= 0; i--) {
      String hop = chain.get(i);
      if (!in(trusted, AddressRange.literal(hop))) {
        return hop;
      }
    }
    return chain.isEmpty() ? peer : chain.get(0);
  }

  private static boolean in(List<AddressRange> ranges, byte[] address) {
    if (address == null) {
      return false;
    }
    for (AddressRange range : ranges) {
      if (range.contains(address)) {
        return true;
      }
    }
    return false;
  }

  /** The {@code for} addresses of {@code Forwarded}, else of {@code X-Forwarded-For}, in order. */
  private static List<String> forwardedChain(Delivery request) {
    List<String> chain = new ArrayList<>();
    for (String header : request.headers("Forwarded")) {
      for (String element : header.split(",")) {
        for (String pair : element.split(";")) {
          int eq = pair.indexOf('=');
          if (eq > 0 && pair.substring(0, eq).trim().toLowerCase(Locale.ROOT).equals("for")) {
            chain.add(forwardedNode(pair.substring(eq + 1).trim()));
          }
        }
      }
    }
    if (!chain.isEmpty()) {
      return chain;
    }
    for (String header : request.headers("X-Forwarded-For")) {
      for (String hop : header.split(",")) {
        chain.add(forwardedNode(hop.trim()));
      }
    }
    return chain;
  }

  /** {@code "[2001:db8::1]:4711"} → {@code 2001:db8::1}; {@code "192.0.2.1:80"} → the address. */
  private static String forwardedNode(String node) {
    String value = node.length() >= 2 && node.startsWith("\"") && node.endsWith("\"")
        ? node.substring(1, node.length() - 1) : node;
    if (value.startsWith("[")) {
      int end = value.indexOf(']');
      return end > 0 ? value.substring(1, end) : value;
    }
    int colon = value.indexOf(':');
    if (colon > 0 && value.indexOf(':', colon + 1) < 0) {
      return value.substring(0, colon);
    }
    return value;
  }
}
