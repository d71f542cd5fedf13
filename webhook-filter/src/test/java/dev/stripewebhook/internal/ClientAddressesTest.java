// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stripewebhook.WebhookConfig;
import dev.stripewebhook.Delivery;
import dev.stripewebhook.TestDelivery;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClientAddressesTest {
  static final String STRIPE = "54.187.174.169";

  static ClientAddresses addresses(String allowed, String trusted) {
    WebhookConfig.Builder builder = WebhookConfig.builder().secrets("whsec_a");
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
  void withoutTrustedProxiesForwardedHeadersAreIgnored() {
    ClientAddresses stripeOnly = addresses("stripe", null);
    assertThat(stripeOnly.client(xff("203.0.113.9", STRIPE))).isEqualTo("203.0.113.9");
    assertThat(stripeOnly.allowed(xff("203.0.113.9", STRIPE))).isFalse();
    assertThat(stripeOnly.allowed(xff(STRIPE))).isTrue();
  }

  @Test
  void anUntrustedPeerCannotClaimAnAddress() {
    ClientAddresses addresses = addresses("stripe", "10.0.0.1");
    assertThat(addresses.allowed(xff("10.0.0.2", STRIPE))).isFalse();
  }

  @Test
  void aTrustedProxyIsBelieved() {
    ClientAddresses addresses = addresses("stripe", "10.0.0.0/8");
    assertThat(addresses.client(xff("10.0.0.1", STRIPE))).isEqualTo(STRIPE);
    assertThat(addresses.allowed(xff("10.0.0.1", STRIPE))).isTrue();
    assertThat(addresses.allowed(xff("10.0.0.1", STRIPE + ", 10.0.0.7"))).isTrue();
    assertThat(addresses.allowed(xff("10.0.0.1", STRIPE, "10.0.0.7"))).isTrue();
  }

  @Test
  void aSpoofedChainYieldsTheRightmostUntrustedHop() {
    ClientAddresses addresses = addresses("stripe", "10.0.0.0/8");
    // The client wrote a Stripe address itself; the proxy appended the client's real one.
    Delivery spoofed = xff("10.0.0.1", STRIPE + ", 203.0.113.9");
    assertThat(addresses.client(spoofed)).isEqualTo("203.0.113.9");
    assertThat(addresses.allowed(spoofed)).isFalse();
    assertThat(addresses.allowed(xff("10.0.0.1", "garbage, " + STRIPE))).isTrue();
    assertThat(addresses.allowed(xff("10.0.0.1", STRIPE + ", unknown"))).isFalse();
  }

  @Test
  void readsRfc7239ForwardedAndPrefersItOverXForwardedFor() {
    ClientAddresses addresses = addresses("2001:db8:cafe::/48,192.0.2.60", "10.0.0.1");
    Delivery v6 = request("10.0.0.1", Map.of(
        "Forwarded", List.of("for=\"[2001:db8:cafe::17]:4711\";proto=https"),
        "X-Forwarded-For", List.of("203.0.113.9")));
    assertThat(addresses.client(v6)).isEqualTo("2001:db8:cafe::17");
    assertThat(addresses.allowed(v6)).isTrue();
    Delivery v4 = request("10.0.0.1", Map.of(
        "Forwarded", List.of("for=192.0.2.60;proto=http;by=203.0.113.43")));
    assertThat(addresses.allowed(v4)).isTrue();
    Delivery hidden = request("10.0.0.1", Map.of("Forwarded", List.of("for=_hidden")));
    assertThat(addresses.allowed(hidden)).isFalse();
    Delivery portOnV4 = request("10.0.0.1", Map.of(
        "Forwarded", List.of("for=\"192.0.2.60:8080\"")));
    assertThat(addresses.client(portOnV4)).isEqualTo("192.0.2.60");
  }

  @Test
  void noAllowListAllowsEveryone() {
    assertThat(addresses(null, null).allowed(xff("203.0.113.9"))).isTrue();
  }

  @Test
  void badEntriesFailAtStartupNamingTheKey() {
    assertThatThrownBy(() -> addresses("10.0.0.0/33", null))
        .hasMessageStartingWith("stripe.webhook.allowed-ips: '10.0.0.0/33' has a prefix length");
    assertThatThrownBy(() -> addresses(null, "proxy.example.com"))
        .hasMessageStartingWith("stripe.webhook.trusted-proxies: 'proxy.example.com' is not");
  }
}
