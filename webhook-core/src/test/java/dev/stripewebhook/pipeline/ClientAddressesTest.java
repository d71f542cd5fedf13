// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stripewebhook.Reason;
import dev.stripewebhook.WebhookConfig;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClientAddressesTest {
  static final String STRIPE = "54.187.174.169";

  static ClientAddresses addresses(String allowed, String trusted) {
    return addresses(allowed, trusted, null);
  }

  static ClientAddresses addresses(String allowed, String trusted, String header) {
    WebhookConfig.Builder builder = WebhookConfig.builder().secrets("whsec_a");
    if (header != null) {
      builder.forwardedHeader(header);
    }
    if (allowed != null) {
      builder.allowedIps(List.of(allowed.split(",")));
    }
    if (trusted != null) {
      builder.trustedProxies(List.of(trusted.split(",")));
    }
    return ClientAddresses.from(builder.build());
  }

  /** A request from {@code peer} with these headers (name → values). */
  static Delivery request(String peer, Map<String, List<String>> headers) {
    return new TestDelivery(peer, headers, new byte[0]);
  }

  static Delivery xff(String peer, String... values) {
    return request(peer, Map.of("X-Forwarded-For", List.of(values)));
  }

  @Test
  void withoutTrustedProxiesForwardedHeadersAreIgnored() throws Exception {
    ClientAddresses stripeOnly = addresses("stripe", null);
    assertThat(stripeOnly.client(xff("203.0.113.9", STRIPE))).isEqualTo("203.0.113.9");
    assertThat(stripeOnly.allowed(xff("203.0.113.9", STRIPE))).isFalse();
    assertThat(stripeOnly.allowed(xff(STRIPE))).isTrue();
  }

  /** Stripe's published webhook addresses on 2026-12-02 (docs.stripe.com/ips). */
  static final List<String> PUBLISHED =
      List.of(
          "3.18.12.63",
          "3.69.109.8",
          "3.120.168.93",
          "3.130.192.231",
          "13.235.14.237",
          "13.235.122.149",
          "18.211.135.69",
          "35.154.171.200",
          "35.157.207.129",
          "52.15.183.38",
          "54.88.130.119",
          "54.88.130.237",
          "54.187.174.169",
          "54.187.205.235",
          "54.187.216.72");

  @Test
  void everyPublishedStripeAddressIsAllowedBehindATrustedProxy() throws Exception {
    ClientAddresses addresses = addresses("stripe", "10.0.0.0/8");
    for (String stripe : PUBLISHED) {
      assertThat(addresses.allowed(xff("10.0.0.1", stripe))).as(stripe).isTrue();
      assertThat(addresses.allowed(xff(stripe))).as(stripe).isTrue();
    }
    assertThat(addresses.allowed(xff("10.0.0.1", "3.69.109.9"))).isFalse();
  }

  @Test
  void anUntrustedPeerCannotClaimAnAddress() throws Exception {
    ClientAddresses addresses = addresses("stripe", "10.0.0.1");
    assertThat(addresses.allowed(xff("10.0.0.2", STRIPE))).isFalse();
  }

  @Test
  void aTrustedProxyIsBelieved() throws Exception {
    ClientAddresses addresses = addresses("stripe", "10.0.0.0/8");
    assertThat(addresses.client(xff("10.0.0.1", STRIPE))).isEqualTo(STRIPE);
    assertThat(addresses.allowed(xff("10.0.0.1", STRIPE))).isTrue();
    assertThat(addresses.allowed(xff("10.0.0.1", STRIPE + ", 10.0.0.7"))).isTrue();
    assertThat(addresses.allowed(xff("10.0.0.1", STRIPE, "10.0.0.7"))).isTrue();
  }

  @Test
  void aSpoofedChainYieldsTheRightmostUntrustedHop() throws Exception {
    ClientAddresses addresses = addresses("stripe", "10.0.0.0/8");
    // The client wrote a Stripe address itself; the proxy appended the client's real one.
    Delivery spoofed = xff("10.0.0.1", STRIPE + ", 203.0.113.9");
    assertThat(addresses.client(spoofed)).isEqualTo("203.0.113.9");
    assertThat(addresses.allowed(spoofed)).isFalse();
    assertThat(addresses.allowed(xff("10.0.0.1", "garbage, " + STRIPE))).isTrue();
    assertThat(addresses.allowed(xff("10.0.0.1", STRIPE + ", unknown"))).isFalse();
  }

  @Test
  void readsRfc7239ForwardedWhenTheProxiesWriteIt() throws Exception {
    ClientAddresses addresses = addresses("2001:db8:cafe::/48,192.0.2.60", "10.0.0.1", "forwarded");
    Delivery v6 =
        request(
            "10.0.0.1",
            Map.of(
                "Forwarded", List.of("for=\"[2001:db8:cafe::17]:4711\";proto=https"),
                "X-Forwarded-For", List.of("203.0.113.9")));
    assertThat(addresses.client(v6)).isEqualTo("2001:db8:cafe::17");
    assertThat(addresses.allowed(v6)).isTrue();
    Delivery v4 =
        request(
            "10.0.0.1", Map.of("Forwarded", List.of("for=192.0.2.60;proto=http;by=203.0.113.43")));
    assertThat(addresses.allowed(v4)).isTrue();
    Delivery hidden = request("10.0.0.1", Map.of("Forwarded", List.of("for=_hidden")));
    assertThat(addresses.allowed(hidden)).isFalse();
    Delivery portOnV4 =
        request("10.0.0.1", Map.of("Forwarded", List.of("for=\"192.0.2.60:8080\"")));
    assertThat(addresses.client(portOnV4)).isEqualTo("192.0.2.60");
  }

  @Test
  void aClientsOwnForwardedHeaderPassedAlongByAnXForwardedForProxyIsIgnored() throws Exception {
    // nginx or an AWS ALB writes X-Forwarded-For and passes the client's Forwarded untouched.
    ClientAddresses addresses = addresses("stripe", "127.0.0.1", "X-Forwarded-For");
    Delivery forged =
        request(
            "127.0.0.1",
            Map.of(
                "Forwarded", List.of("for=3.18.12.63"), "X-Forwarded-For", List.of("203.0.113.9")));
    assertThat(addresses.client(forged)).isEqualTo("203.0.113.9");
    assertThat(addresses.allowed(forged)).isFalse();
  }

  @Test
  void withoutTheSettingHeadersThatNameDifferentClientsAreRefused() throws Exception {
    ClientAddresses addresses = addresses("stripe", "127.0.0.1");
    Delivery both =
        request(
            "127.0.0.1",
            Map.of(
                "Forwarded", List.of("for=3.18.12.63"), "X-Forwarded-For", List.of("203.0.113.9")));
    assertThatThrownBy(() -> addresses.client(both))
        .isInstanceOfSatisfying(
            Refusal.class,
            refusal -> assertThat(refusal.reason()).isEqualTo(Reason.FORWARDED_HEADERS_DISAGREE))
        .hasMessageContaining("stripe.webhook.forwarded-header");
    Delivery agreeing =
        request(
            "127.0.0.1",
            Map.of(
                "Forwarded", List.of("for=3.18.12.63"), "X-Forwarded-For", List.of("3.18.12.63")));
    assertThat(addresses.client(agreeing)).isEqualTo("3.18.12.63");
  }

  @Test
  void aTrailingOrEmptyElementIsMalformedNotSkipped() throws Exception {
    ClientAddresses addresses = addresses("stripe", "127.0.0.1");
    for (String chain : List.of("3.18.12.63,", ",3.18.12.63", "203.0.113.9,,3.18.12.63")) {
      assertThatThrownBy(() -> addresses.client(xff("127.0.0.1", chain)))
          .as(chain)
          .isInstanceOfSatisfying(
              Refusal.class,
              refusal -> assertThat(refusal.reason()).isEqualTo(Reason.MALFORMED_FORWARDED_HEADER));
    }
    assertThatThrownBy(
            () ->
                addresses.client(request("127.0.0.1", Map.of("Forwarded", List.of("proto=https")))))
        .isInstanceOf(Refusal.class);
  }

  @Test
  void ipv6PeersInBracketsMatchTheirEntries() throws Exception {
    // Jetty 12 reports an IPv6 peer as "[2001:db8::1]".
    ClientAddresses allowList = addresses("2001:db8::/32", null);
    assertThat(allowList.allowed(request("[2001:db8::1]", Map.of()))).isTrue();
    assertThat(allowList.allowed(request("[2001:db9::1]", Map.of()))).isFalse();
    ClientAddresses viaProxy = addresses("stripe", "2001:db8::1");
    assertThat(viaProxy.client(xff("[2001:db8::1]", "3.18.12.63"))).isEqualTo("3.18.12.63");
    assertThat(ClientAddresses.bare("[2001:db8::1]:4711")).isEqualTo("2001:db8::1");
  }

  @Test
  void noAllowListAllowsEveryone() throws Exception {
    assertThat(addresses(null, null).allowed(xff("203.0.113.9"))).isTrue();
  }

  @Test
  void badEntriesFailAtStartupNamingTheKey() throws Exception {
    assertThatThrownBy(() -> addresses("10.0.0.0/33", null))
        .hasMessageStartingWith("stripe.webhook.allowed-ips: '10.0.0.0/33' has a prefix length");
    assertThatThrownBy(() -> addresses(null, "proxy.example.com"))
        .hasMessageStartingWith("stripe.webhook.trusted-proxies: 'proxy.example.com' is not");
  }
}
