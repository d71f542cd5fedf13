// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook;

import static dev.stripewebhook.Reason.ACCOUNT_NOT_ALLOWED;
import static dev.stripewebhook.Reason.LIVEMODE_NOT_ACCEPTED;
import static dev.stripewebhook.Reason.MISSING_SIGNATURE_HEADER;
import static dev.stripewebhook.Reason.MODE_MISMATCH;
import static dev.stripewebhook.Reason.SIGNATURE_MISMATCH;
import static dev.stripewebhook.Reason.TIMESTAMP_OUTSIDE_TOLERANCE;

import java.security.MessageDigest;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Verifies Stripe webhook deliveries on their raw bytes. No servlet types: usable from any
 * framework.
 *
 * <p>The rules, in order: the header's syntax (strict; see {@link SignatureHeader}), the timestamp
 * within the tolerance on both sides of the clock, then HMAC-SHA256 keyed with the whole secret
 * string over {@code t + "." + body}, any {@code v1} matching any secret, compared in constant
 * time; only then is the body read as JSON.
 *
 * <pre>{@code
 * SignatureVerifier verifier = SignatureVerifier.create(config);
 * VerifiedEvent event = verifier.verify(rawBody, request.getHeader("Stripe-Signature"));
 * }</pre>
 *
 * <p>Thread safe.
 *
 * @since 0.1
 */
public final class SignatureVerifier {
  /** The header Stripe signs deliveries with. */
  public static final String SIGNATURE_HEADER = "Stripe-Signature";

  /** A secret's initialised MAC, and the mode it is bound to: null, or whether it is live. */
  private record Key(WebhookSigner signer, Boolean live) {}

  private final List<Key> keys;
  private final long toleranceSeconds;
  private final Clock clock;
  private final WebhookConfig.Livemode livemode;
  private final Set<String> accounts;
  private final StripeApiAccess api;

  private SignatureVerifier(WebhookConfig config, StripeApiAccess api) {
    this.api = Objects.requireNonNull(api, "api == null");
    List<Key> keys = new ArrayList<>();
    VerificationConfig verification = config.verification();
    verification.secrets().forEach(secret -> keys.add(new Key(WebhookSigner.of(secret), null)));
    verification
        .testSecrets()
        .forEach(secret -> keys.add(new Key(WebhookSigner.of(secret), false)));
    verification.liveSecrets().forEach(secret -> keys.add(new Key(WebhookSigner.of(secret), true)));
    this.keys = List.copyOf(keys);
    this.toleranceSeconds = verification.tolerance().getSeconds();
    this.clock = verification.clock();
    this.livemode = config.edge().livemode();
    this.accounts = config.edge().accounts();
  }

  /** A verifier for the secrets, tolerance and clock of {@code config}. */
  public static SignatureVerifier create(WebhookConfig config) {
    return create(config, StripeApiAccess.none());
  }

  /**
   * A verifier for the secrets, tolerance and clock of {@code config} whose events reach Stripe's
   * API through {@code api}: their thin notifications are bound to its client, and fetched for
   * snapshot types when it says so.
   *
   * @since 0.2
   */
  public static SignatureVerifier create(WebhookConfig config, StripeApiAccess api) {
    return new SignatureVerifier(Objects.requireNonNull(config, "config == null"), api);
  }

  /**
   * Verifies a delivery, reads its envelope and applies the mode and account rules.
   *
   * @param body the body exactly as received; not modified, and kept by the result
   * @param header the {@code Stripe-Signature} header, or {@code null} when absent
   * @throws WebhookVerificationException when the header, the timestamp, the signature or the
   *     payload is wrong, or a rule refuses the event; see {@link
   *     WebhookVerificationException#reason()}
   */
  public VerifiedEvent verify(byte[] body, String header) throws WebhookVerificationException {
    SignatureHeader parsed = parse(body, header, true);
    Key key = match(body, parsed);
    VerifiedEvent event = EnvelopeReader.verified(body, parsed.timestamp(), api);
    checkRules(key, event.envelope());
    return event;
  }

  private void checkRules(Key key, EventEnvelope envelope) throws WebhookVerificationException {
    Boolean live = envelope.livemode();
    if (key.live() != null && !key.live().equals(live)) {
      throw new WebhookVerificationException(
          MODE_MISMATCH,
          "Event "
              + envelope.id()
              + " verified with a "
              + mode(key.live())
              + "-mode secret but says livemode="
              + live
              + "; each mode-bound secret accepts only events of its own mode.");
    }
    if (livemode != WebhookConfig.Livemode.ANY && (live == null || !livemode.accepts(live))) {
      throw new WebhookVerificationException(
          LIVEMODE_NOT_ACCEPTED,
          "Event "
              + envelope.id()
              + " is a "
              + (live == null ? "mode-less" : mode(live) + "-mode")
              + " event; this"
              + " deployment accepts only "
              + livemode.name().toLowerCase(java.util.Locale.ROOT)
              + "-mode events (stripe.webhook.livemode).");
    }
    if (!accounts.isEmpty()
        && (envelope.account() == null || !accounts.contains(envelope.account()))) {
      throw new WebhookVerificationException(
          ACCOUNT_NOT_ALLOWED,
          "Event "
              + envelope.id()
              + (envelope.account() == null
                  ? " belongs to no connected account"
                  : " belongs to account " + envelope.account())
              + ", which is not in stripe.webhook.accounts.");
    }
  }

  private static String mode(boolean live) {
    return live ? "live" : "test";
  }

  /**
   * Verifies a delivery stored when it arrived (the event inbox's body and header) again, before it
   * is handled later: the signature must still match a configured secret and the mode and account
   * rules still hold, but the timestamp is not checked against the clock, since it was when the
   * delivery arrived.
   *
   * @throws WebhookVerificationException when the header, the signature or the payload is wrong
   *     (for example, the secret it was signed with is no longer configured)
   */
  public VerifiedEvent verifyStored(byte[] body, String header)
      throws WebhookVerificationException {
    SignatureHeader parsed = parse(body, header, false);
    Key key = match(body, parsed);
    VerifiedEvent event = EnvelopeReader.verified(body, parsed.timestamp(), api);
    checkRules(key, event.envelope());
    return event;
  }

  /**
   * Verifies the signature only, without reading the body as JSON.
   *
   * @return the signed timestamp, in seconds since the epoch
   * @throws WebhookVerificationException when the header, the timestamp or the signature is wrong
   */
  public long verifySignature(byte[] body, String header) throws WebhookVerificationException {
    SignatureHeader parsed = parse(body, header, true);
    match(body, parsed);
    return parsed.timestamp();
  }

  private SignatureHeader parse(byte[] body, String header, boolean checkTime)
      throws WebhookVerificationException {
    Objects.requireNonNull(body, "body == null");
    if (header == null || header.isEmpty()) {
      throw new WebhookVerificationException(
          MISSING_SIGNATURE_HEADER,
          "The request has no "
              + SIGNATURE_HEADER
              + " header; Stripe signs every delivery. Was this request sent by"
              + " Stripe, and does a proxy pass the header on?");
    }
    SignatureHeader parsed = SignatureHeader.parse(header);
    if (checkTime) {
      checkTimestamp(parsed.timestamp());
    }
    return parsed;
  }

  /** The key whose signature matches; any v1 may match any secret (rotation). */
  private Key match(byte[] body, SignatureHeader parsed) throws WebhookVerificationException {
    for (Key key : keys) {
      byte[] expected = key.signer().sign(parsed.timestamp(), body);
      for (byte[] candidate : parsed.v1Signatures()) {
        if (MessageDigest.isEqual(expected, candidate)) { // constant time
          return key;
        }
      }
    }
    throw mismatch(body, parsed.v1Signatures().size());
  }

  private void checkTimestamp(long signedAt) throws WebhookVerificationException {
    long offset = clock.instant().getEpochSecond() - signedAt;
    if (Math.abs(offset) <= toleranceSeconds) {
      return;
    }
    String direction = offset > 0 ? "older than" : "ahead of";
    throw new WebhookVerificationException(
        TIMESTAMP_OUTSIDE_TOLERANCE,
        "The Stripe-Signature"
            + " timestamp is "
            + Math.abs(offset)
            + " s "
            + direction
            + " this server's clock"
            + " (tolerance "
            + toleranceSeconds
            + " s). Stripe signs every attempt afresh, so either"
            + " this is a replay of an old delivery or this server's clock is off by about that much:"
            + " check its time synchronisation (NTP).");
  }

  private WebhookVerificationException mismatch(byte[] body, int signatures) {
    Boolean livemode = EventEnvelope.peekLivemode(body);
    String mode =
        livemode == null
            ? ""
            : " (the body claims to be a " + (livemode ? "live" : "test") + "-mode event)";
    return new WebhookVerificationException(
        SIGNATURE_MISMATCH,
        "None of the "
            + signatures
            + " v1 signature(s) in Stripe-Signature matches this body under any of the "
            + keys.size()
            + " configured secret(s). Check that the secret is this endpoint's signing secret: a"
            + " `stripe listen` session and a Dashboard endpoint have different secrets, and so do"
            + " test and live mode"
            + mode
            + ". Check also that nothing changed the body before it"
            + " was verified (a JSON library, a logging filter, a charset conversion): only the exact"
            + " bytes Stripe sent verify.");
  }
}
