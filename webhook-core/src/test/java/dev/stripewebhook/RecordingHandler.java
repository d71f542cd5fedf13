// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records every event id; loaded by class name and through META-INF/services in the tests. */
public final class RecordingHandler implements StripeEventHandler {
  public static final List<String> SEEN = new CopyOnWriteArrayList<>();

  @Override
  public Set<String> eventTypes() {
    return Set.of("*");
  }

  @Override
  public void handle(VerifiedEvent event) {
    SEEN.add(event.id());
  }
}
