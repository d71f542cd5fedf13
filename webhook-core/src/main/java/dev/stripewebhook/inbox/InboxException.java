// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.inbox;

/**
 * The inbox cannot store or update events: the database is unreachable or failed, or the in-memory
 * inbox is full of unfinished events. The filter answers 503 ({@code storage-unavailable}) so that
 * Stripe delivers again later.
 *
 * @since 0.1
 */
public final class InboxException extends Exception {
  private static final long serialVersionUID = 1L;

  /** With a message saying what failed, and the cause. */
  public InboxException(String message, Throwable cause) {
    super(message, cause);
  }

  /** With a message saying what failed. */
  public InboxException(String message) {
    super(message);
  }
}
