// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Who may post and what is accepted at the door: client addresses, proxies, the body's size and
 * time, and which modes and accounts. Part of a {@link WebhookConfig}; immutable. "Not set" is an
 * empty list or set (meaning: any) or an empty {@link Optional}, never null.
 *
 * @since 0.2
 */
public final class EdgeConfig {
  private final List<String> allowedIps;
  private final List<String> trustedProxies;
  private final Optional<String> forwardedHeader;
  private final Optional<String> stripeIpsFile;
  private final WebhookConfig.Livemode livemode;
  private final Set<String> accounts;
  private final int maxBody;
  private final Duration bodyTimeout;

  EdgeConfig(
      List<String> allowedIps,
      List<String> trustedProxies,
      Optional<String> forwardedHeader,
      Optional<String> stripeIpsFile,
      WebhookConfig.Livemode livemode,
      Set<String> accounts,
      int maxBody,
      Duration bodyTimeout) {
    this.allowedIps = List.copyOf(allowedIps);
    this.trustedProxies = List.copyOf(trustedProxies);
    this.forwardedHeader = forwardedHeader;
    this.stripeIpsFile = stripeIpsFile;
    this.livemode = livemode;
    this.accounts = Collections.unmodifiableSet(new LinkedHashSet<>(accounts));
    this.maxBody = maxBody;
    this.bodyTimeout = bodyTimeout;
  }

  /** The allowed client addresses and ranges ({@code stripe}: Stripe's); empty: any. */
  public List<String> allowedIps() {
    return allowedIps;
  }

  /** The proxies whose forwarded headers are believed; empty: none. */
  public List<String> trustedProxies() {
    return trustedProxies;
  }

  /** The forwarding header the trusted proxies write; empty: both are read. */
  public Optional<String> forwardedHeader() {
    return forwardedHeader;
  }

  /** The file replacing the bundled list of Stripe's addresses; empty: the bundled one. */
  public Optional<String> stripeIpsFile() {
    return stripeIpsFile;
  }

  /** Which events this deployment accepts, by their mode. */
  public WebhookConfig.Livemode livemode() {
    return livemode;
  }

  /** The connected accounts whose events are accepted; empty: any. */
  public Set<String> accounts() {
    return accounts;
  }

  /** The largest body accepted, in bytes ({@value WebhookConfig.Keys#MAX_BODY}). */
  public int maxBody() {
    return maxBody;
  }

  /** How long a body may take to arrive in full. */
  public Duration bodyTimeout() {
    return bodyTimeout;
  }

  @Override
  public String toString() {
    return "allowedIps="
        + allowedIps
        + ", trustedProxies="
        + trustedProxies
        + forwardedHeader.map(h -> ", forwardedHeader=" + h).orElse("")
        + stripeIpsFile.map(f -> ", stripeIpsFile=" + f).orElse("")
        + ", livemode="
        + livemode.name().toLowerCase(Locale.ROOT)
        + ", accounts="
        + accounts
        + ", maxBody="
        + maxBody
        + ", bodyTimeout="
        + bodyTimeout.toSeconds()
        + "s";
  }
}
