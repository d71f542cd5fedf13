// SPDX-License-Identifier: Apache-2.0
/** Not API: may change in any release. */
package dev.stripewebhook.cdi.internal;
