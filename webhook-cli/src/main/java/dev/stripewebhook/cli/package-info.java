// SPDX-License-Identifier: Apache-2.0
/**
 * The operators' commands in one runnable jar ({@link dev.stripewebhook.cli.Main}): send a signed
 * event, recover missed events from Stripe, keep an endpoint's enabled events in line with the
 * code.
 */
package dev.stripewebhook.cli;
