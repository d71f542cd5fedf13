// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.internal;

import dev.stripewebhook.VerifiedEvent;
import java.util.Objects;
import java.util.function.Function;

/**
 * The one array that holds a verified delivery's body, for the library's own code on the request
 * path (the inbox, the doors replaying the body), which only reads it: handlers get {@link
 * VerifiedEvent#body()} (a copy) or a read-only view, so nothing can change the bytes the inbox and
 * the next reader see.
 *
 * <p>Not API: may change in any release. Never write into the array.
 */
public final class HeldBody {
  private static volatile Function<VerifiedEvent, byte[]> access;

  private HeldBody() {}

  /** The body of {@code event}, not copied: read it, never write into it. */
  public static byte[] of(VerifiedEvent event) {
    Objects.requireNonNull(event, "event == null");
    // An instance exists, so VerifiedEvent's initializer has run and set the access.
    return access.apply(event);
  }

  /**
   * Called once, by {@link VerifiedEvent}'s static initializer.
   *
   * @throws IllegalStateException when called again
   */
  public static synchronized void grant(Function<VerifiedEvent, byte[]> access) {
    if (HeldBody.access != null) {
      throw new IllegalStateException("HeldBody access is granted once, by VerifiedEvent");
    }
    HeldBody.access = Objects.requireNonNull(access, "access == null");
  }
}
