// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook;

import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * What {@link SignatureVerifier} checks a signature with: the secrets, the timestamp tolerance and
 * the clock. Part of a {@link WebhookConfig}; immutable.
 *
 * @since 0.2
 */
public final class VerificationConfig {
  private final List<String> secrets;
  private final List<String> testSecrets;
  private final List<String> liveSecrets;
  private final Duration tolerance;
  private final Clock clock;

  VerificationConfig(
      List<String> secrets,
      List<String> testSecrets,
      List<String> liveSecrets,
      Duration tolerance,
      Clock clock) {
    this.secrets = List.copyOf(secrets);
    this.testSecrets = List.copyOf(testSecrets);
    this.liveSecrets = List.copyOf(liveSecrets);
    this.tolerance = tolerance;
    this.clock = clock;
  }

  /** The signing secrets not bound to a mode; any may match. */
  public List<String> secrets() {
    return secrets;
  }

  /** Test-mode secrets ({@value WebhookConfig.Keys#SECRETS_TEST}); may be empty. */
  public List<String> testSecrets() {
    return testSecrets;
  }

  /** Live-mode secrets ({@value WebhookConfig.Keys#SECRETS_LIVE}); may be empty. */
  public List<String> liveSecrets() {
    return liveSecrets;
  }

  /** The largest accepted distance between the signed timestamp and {@link #clock()}. */
  public Duration tolerance() {
    return tolerance;
  }

  /** The clock timestamps are checked against. */
  public Clock clock() {
    return clock;
  }

  /** A description that counts the secrets and never shows one. */
  @Override
  public String toString() {
    return "secrets="
        + secrets.size()
        + "+"
        + testSecrets.size()
        + " test+"
        + liveSecrets.size()
        + " live, tolerance="
        + tolerance.getSeconds()
        + "s";
  }
}
