// SPDX-License-Identifier: Apache-2.0
/**
 * The admin console: {@link dev.stripewebhook.admin.StripeWebhookAdminServlet}, server-rendered
 * pages and a JSON API over the event inbox (list, inspect, replay, resolve). Off unless the
 * application maps the servlet; once mapped, it serves only authenticated users in the role {@code
 * stripe-webhook-admin} (or the one its init-param names).
 *
 * @since 0.1
 */
package dev.stripewebhook.admin;
