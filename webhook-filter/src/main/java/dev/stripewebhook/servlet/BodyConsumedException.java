// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.servlet;

import java.io.IOException;

/** Something before the filter read the body: a deployment fault, answered 500. */
final class BodyConsumedException extends IOException {
  private static final long serialVersionUID = 1L;

  BodyConsumedException(String message) {
    super(message);
  }
}
