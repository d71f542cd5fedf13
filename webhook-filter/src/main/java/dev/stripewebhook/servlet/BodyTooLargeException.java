// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.servlet;

import java.io.IOException;

/** The body is larger than the configured limit; answered 413. A transport limit, not a reason. */
final class BodyTooLargeException extends IOException {
  private static final long serialVersionUID = 1L;

  BodyTooLargeException(String message) {
    super(message);
  }
}
