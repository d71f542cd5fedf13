// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.pipeline;

import dev.stripewebhook.Reason;

/**
 * A delivery refused before it verified (its body, its forwarding headers): the reason, and a
 * detail that is safe to answer with.
 *
 * <p>Not API: may change in any release.
 */
final class Refusal extends Exception {
  private static final long serialVersionUID = 1L;
  private final Reason reason;

  Refusal(Reason reason, String detail) {
    super(detail, null, false, false);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
