// SPDX-License-Identifier: Apache-2.0
/**
 * Recovers events Stripe could not deliver, from its Events API into the event inbox: {@link
 * dev.stripewebhook.recovery.EventRecovery}, in the application or from the command line.
 */
package dev.stripewebhook.recovery;
