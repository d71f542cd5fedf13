// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.pipeline;

import dev.stripewebhook.EdgeConfig;
import dev.stripewebhook.Reason;
import dev.stripewebhook.WebhookConfig;
import dev.stripewebhook.internal.AddressRange;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The client address of a request, and whether it may post. Forwarding headers are believed only
 * when the direct peer is a trusted proxy; then the client is the rightmost address of the chain
 * that is not a trusted proxy, since everything to its left was written by the client itself and
 * may be forged.
 *
 * <p>Which header: the one {@value WebhookConfig.Keys#FORWARDED_HEADER} names, the one the proxies
 * write; any other is ignored (a proxy that writes {@code X-Forwarded-For} passes a client's own
 * {@code Forwarded} along untouched). Without that setting, a request that carries both with
 * different clients is refused ({@link Reason#FORWARDED_HEADERS_DISAGREE}), and one whose chain has
 * an empty element is malformed ({@link Reason#MALFORMED_FORWARDED_HEADER}).
 *
 * <p>Not API: may change in any release.
 */
final class ClientAddresses {
  private static final String FORWARDED = "Forwarded";
  private static final String X_FORWARDED_FOR = "X-Forwarded-For";

  private final List<AddressRange> allowed;
  private final List<AddressRange> trusted;
  private final String header; // null: both, refused when they disagree

  private ClientAddresses(List<AddressRange> allowed, List<AddressRange> trusted, String header) {
    this.allowed = allowed;
    this.trusted = trusted;
    this.header = header;
  }

  /**
   * From {@link EdgeConfig#allowedIps()}, {@link EdgeConfig#trustedProxies()} and {@link
   * EdgeConfig#forwardedHeader()}.
   *
   * @throws IllegalArgumentException naming the key when an entry is not an address or range
   */
  public static ClientAddresses from(WebhookConfig config) {
    EdgeConfig edge = config.edge();
    String stripeIpsFile = edge.stripeIpsFile().orElse(null);
    return new ClientAddresses(
        ranges(WebhookConfig.Keys.ALLOWED_IPS, edge.allowedIps(), stripeIpsFile),
        ranges(WebhookConfig.Keys.TRUSTED_PROXIES, edge.trustedProxies(), stripeIpsFile),
        edge.forwardedHeader().orElse(null));
  }

  private static List<AddressRange> ranges(String key, List<String> texts, String stripeIpsFile) {
    try {
      return AddressRange.parseAll(texts, stripeIpsFile);
    } catch (IllegalArgumentException | UncheckedIOException e) {
      throw new IllegalArgumentException(key + ": " + e.getMessage(), e);
    }
  }

  /**
   * A client address as written, and as parsed once: {@code null} when it is no IP literal, or when
   * no allow-list or trusted proxy is configured, so that nothing needs it.
   */
  record Client(String text, byte[] address) {}

  /** Whether {@code client} may post: always, when no allow-list is configured. */
  public boolean allowed(String client) {
    return allowed.isEmpty() || in(allowed, AddressRange.literal(client));
  }

  /** Whether {@code client}, resolved by {@link #resolve}, may post. */
  boolean allowed(Client client) {
    return allowed.isEmpty() || in(allowed, client.address());
  }

  /** Whether the request's client may post. */
  boolean allowed(Delivery request) throws Refusal {
    return allowed(resolve(request));
  }

  /**
   * The client's address as text; a forged or obfuscated entry comes back as written.
   *
   * @throws Refusal when a trusted proxy's forwarding headers are malformed or, with no header
   *     configured, disagree
   */
  public String client(Delivery request) throws Refusal {
    return resolve(request).text();
  }

  /**
   * The client, its address parsed once for both the trusted-proxy and the allow-list checks.
   *
   * @throws Refusal as {@link #client(Delivery)}
   */
  Client resolve(Delivery request) throws Refusal {
    String peer = bare(request.peerAddress());
    if (trusted.isEmpty() && allowed.isEmpty()) {
      return new Client(peer, null); // nothing looks at the address
    }
    Client direct = new Client(peer, AddressRange.literal(peer));
    if (trusted.isEmpty() || !in(trusted, direct.address())) {
      return direct;
    }
    if (header != null) {
      return client(direct, chain(request, header));
    }
    List<String> forwarded = chain(request, FORWARDED);
    List<String> xForwardedFor = chain(request, X_FORWARDED_FOR);
    if (forwarded.isEmpty()) {
      return client(direct, xForwardedFor);
    }
    Client client = client(direct, forwarded);
    if (!xForwardedFor.isEmpty() && !client.text().equals(client(direct, xForwardedFor).text())) {
      throw new Refusal(
          Reason.FORWARDED_HEADERS_DISAGREE,
          "Forwarded and X-Forwarded-For name"
              + " different clients; set "
              + WebhookConfig.Keys.FORWARDED_HEADER
              + " to the header"
              + " the proxies write.");
    }
    return client;
  }

  private Client client(Client peer, List<String> chain) {
    for (int i = chain.size() - 1; i >= 0; i--) {
      String hop = chain.get(i);
      byte[] address = AddressRange.literal(hop);
      if (!in(trusted, address)) {
        return new Client(hop, address);
      }
    }
    return chain.isEmpty() ? peer : new Client(chain.get(0), AddressRange.literal(chain.get(0)));
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

  /** The addresses of one forwarding header, in order; every element must name one. */
  private static List<String> chain(Delivery request, String name) throws Refusal {
    List<String> chain = new ArrayList<>();
    for (String value : request.headers(name)) {
      for (String element : value.split(",", -1)) {
        String node = name.equals(FORWARDED) ? forNode(element) : element.trim();
        if (node == null || node.isEmpty()) {
          throw new Refusal(
              Reason.MALFORMED_FORWARDED_HEADER,
              name + " has an empty element or" + " one without a client address.");
        }
        chain.add(bare(node));
      }
    }
    return chain;
  }

  /** The {@code for} value of one {@code Forwarded} element, or null when it has none. */
  private static String forNode(String element) {
    for (String pair : element.split(";")) {
      int eq = pair.indexOf('=');
      if (eq > 0 && pair.substring(0, eq).trim().toLowerCase(Locale.ROOT).equals("for")) {
        String value = pair.substring(eq + 1).trim();
        return value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")
            ? value.substring(1, value.length() - 1)
            : value;
      }
    }
    return null;
  }

  /**
   * An address without brackets or port: {@code "[2001:db8::1]:4711"} and {@code "[2001:db8::1]"}
   * (as Jetty reports an IPv6 peer) → {@code 2001:db8::1}; {@code "192.0.2.1:80"} → the address.
   */
  static String bare(String node) {
    if (node == null) {
      return "";
    }
    if (node.startsWith("[")) {
      int end = node.indexOf(']');
      return end > 0 ? node.substring(1, end) : node;
    }
    int colon = node.indexOf(':');
    if (colon > 0 && node.indexOf(':', colon + 1) < 0) {
      return node.substring(0, colon);
    }
    return node;
  }
}
