// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.jaxrs.internal;

import dev.stripewebhook.Reason;
import dev.stripewebhook.pipeline.Decision;

/**
 * A request the JAX-RS providers answer themselves instead of the resource method, as the endpoint
 * decided: rendered by {@link RejectionMapper}.
 */
public final class WebhookRejection extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient Decision decision;

  WebhookRejection(Decision decision) {
    super(decision.outcome(), null, false, false);
    this.decision = decision;
  }

  /** A refusal decided here rather than by the endpoint (a parameter the event cannot fill). */
  public static WebhookRejection of(Reason reason, String detail) {
    return new WebhookRejection(Decision.refusal(reason, detail));
  }

  Decision decision() {
    return decision;
  }
}
