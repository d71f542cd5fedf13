// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook;

import java.util.Set;

/** Handlers written in a line, for the tests of every module (through core's test-jar). */
public final class TestHandlers {
  private TestHandlers() {}

  /** What a test's handler does with an event; it may throw to fail the attempt. */
  @FunctionalInterface
  public interface Handling {
    void handle(VerifiedEvent event) throws Exception;
  }

  /** A handler of the events {@code type} (exact, {@code prefix.*} or {@code *}) matches. */
  public static StripeEventHandler on(String type, Handling handling) {
    return new StripeEventHandler() {
      @Override
      public Set<String> eventTypes() {
        return Set.of(type);
      }

      @Override
      public void handle(VerifiedEvent event) throws Exception {
        handling.handle(event);
      }
    };
  }
}
