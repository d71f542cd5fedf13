// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook;

/**
 * Receives {@link WebhookAlert}s; found through {@link java.util.ServiceLoader} ({@code
 * META-INF/services/dev.stripewebhook.WebhookAlertListener}). Called on a timer thread or in a
 * request: return quickly.
 *
 * @since 0.1
 */
@FunctionalInterface
public interface WebhookAlertListener {
  /** Receives an alert. */
  void onAlert(WebhookAlert alert);
}
