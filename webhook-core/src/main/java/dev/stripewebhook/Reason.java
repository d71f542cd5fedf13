// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook;

/**
 * Why a delivery was answered as it was, when it was not simply accepted: every reason code the
 * library answers with, on every door (the servlet filter, the JAX-RS providers), in {@code
 * application/problem+json} bodies and in the delivery log. The {@link #code()} strings are API:
 * they are never renamed.
 *
 * @since 0.1
 */
public enum Reason {
  /** The request has no {@code Stripe-Signature} header. */
  MISSING_SIGNATURE_HEADER("missing-signature-header", 400, "Webhook verification failed"),
  /** The header breaks Stripe's syntax: an empty item, a bad {@code t}, a bad {@code v1}... */
  MALFORMED_SIGNATURE_HEADER("malformed-signature-header", 400, "Webhook verification failed"),
  /** The header is well formed but carries no {@code v1} signature (only {@code v0}, say). */
  NO_V1_SIGNATURE("no-v1-signature", 400, "Webhook verification failed"),
  /** No {@code v1} signature matches the body under any configured secret. */
  SIGNATURE_MISMATCH("signature-mismatch", 400, "Webhook verification failed"),
  /** The signed timestamp is further from this server's clock than the tolerance. */
  TIMESTAMP_OUTSIDE_TOLERANCE("timestamp-outside-tolerance", 400, "Webhook verification failed"),
  /** The body verified but is not a Stripe event (not JSON, or no {@code id}/{@code type}). */
  MALFORMED_PAYLOAD("malformed-payload", 400, "Webhook verification failed"),
  /** A mode-bound secret verified an event of the other mode. */
  MODE_MISMATCH("mode-mismatch", 400, "Webhook verification failed"),
  /** The event's mode is not the one this deployment accepts ({@code stripe.webhook.livemode}). */
  LIVEMODE_NOT_ACCEPTED("livemode-not-accepted", 400, "Webhook verification failed"),
  /** The event's connected account is not in {@code stripe.webhook.accounts}. */
  ACCOUNT_NOT_ALLOWED("account-not-allowed", 400, "Webhook verification failed"),
  /**
   * The event verified, but a field is longer than the inbox can store (an id, type, account or
   * object id over 255 characters, an API version over 64) or its {@code created} is outside the
   * years 1970 to 9999: no delivery from Stripe looks like that.
   */
  UNSTORABLE_EVENT("unstorable-event", 400, "Event cannot be stored"),
  /** Anything but {@code POST}. */
  METHOD_NOT_ALLOWED("method-not-allowed", 405, "Method not allowed"),
  /**
   * A trusted proxy's forwarding headers have an empty element or one without an address: the
   * client cannot be told.
   */
  MALFORMED_FORWARDED_HEADER("malformed-forwarded-header", 400, "Malformed forwarding header"),
  /**
   * {@code Forwarded} and {@code X-Forwarded-For} name different clients and {@code
   * stripe.webhook.forwarded-header} does not say which one the proxies write.
   */
  FORWARDED_HEADERS_DISAGREE("forwarded-headers-disagree", 403, "Forbidden"),
  /** The client address is outside {@code stripe.webhook.allowed-ips}. */
  ADDRESS_NOT_ALLOWED("address-not-allowed", 403, "Forbidden"),
  /** The body, declared or read, is over {@code stripe.webhook.max-body}. */
  BODY_TOO_LARGE("body-too-large", 413, "Payload too large"),
  /** The body did not arrive within {@code stripe.webhook.body-timeout}. */
  BODY_TIMEOUT("body-timeout", 408, "Request body too slow"),
  /** The body could not be read: the connection broke, or it ended early. */
  BODY_UNREADABLE("body-unreadable", 400, "Request body unreadable"),
  /** Something before the filter read the body (see the server log). */
  BODY_CONSUMED("body-consumed", 500, "Request body unavailable"),
  /** No valid signing secret is configured for this door (see the server log). */
  NOT_CONFIGURED("not-configured", 500, "Webhook endpoint not configured"),
  /** A handler, an observer or the servlet or resource behind the filter failed. */
  HANDLER_FAILED("handler-failed", 500, "Event handling failed"),
  /** The event inbox could not store or update the event. */
  STORAGE_UNAVAILABLE("storage-unavailable", 503, "Event storage unavailable"),
  /** Another delivery of the event was still being processed after the wait. */
  EVENT_IN_PROGRESS("event-in-progress", 409, "Event being processed"),
  /**
   * A JAX-RS parameter asks for a snapshot event or its data object ({@code Event}, {@code
   * PaymentIntent}...) but the delivery is a thin event notification, whose data must be fetched
   * from Stripe's API, and fetching is not configured (or its related object is not of that type).
   * Answered 500 and recorded failed, so that Stripe retries and the event stays in the inbox,
   * replayable once fixed. The fixes: declare the parameter as {@code EventNotification} (or its
   * typed subclass); or, for a related object of API v1, configure {@code stripe.api-key} ({@code
   * STRIPE_API_KEY}) and {@code stripe.webhook.thin-events=fetch}; or switch the event destination
   * to snapshot payloads.
   */
  THIN_EVENT_NEEDS_API_KEY("thin-event-needs-api-key", 500, "Thin event needs an API key"),
  /**
   * With {@code stripe.webhook.thin-events=fetch}, fetching a thin event's related object from
   * Stripe's API for a snapshot-typed JAX-RS parameter failed (the network, an HTTP error):
   * answered 500 and recorded failed, so that Stripe retries; the cause is in the server log.
   */
  THIN_EVENT_FETCH_FAILED("thin-event-fetch-failed", 500, "Thin event fetch failed"),
  /** A JAX-RS parameter asks for an object this event does not carry. */
  UNEXPECTED_DATA_OBJECT("unexpected-data-object", 400, "Unexpected event"),
  /** The admin console: no authenticated user (its JSON API answers with this code). */
  ADMIN_AUTHENTICATION_REQUIRED("admin-authentication-required", 401, "Authentication required"),
  /** The admin console: the authenticated user is not in its role. */
  ADMIN_ROLE_REQUIRED("admin-role-required", 403, "Not in the admin role"),
  /** The endpoint failed in a way it did not foresee (see the server log). */
  INTERNAL_ERROR("internal-error", 500, "Webhook endpoint failed");

  private final String code;
  private final int status;
  private final String title;

  Reason(String code, int status, String title) {
    this.code = code;
    this.status = status;
    this.title = title;
  }

  /** The stable, machine-readable code, as used in problem responses and log lines. */
  public String code() {
    return code;
  }

  /** The HTTP status answered with this reason. */
  public int status() {
    return status;
  }

  /** The problem's short title. */
  public String title() {
    return title;
  }
}
