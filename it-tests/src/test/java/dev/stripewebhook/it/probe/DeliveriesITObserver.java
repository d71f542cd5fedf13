// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.it.probe;

import dev.stripewebhook.VerifiedEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Test-only, added to the deployments: counts how often the CDI observers were notified of each
 * event, and keeps the SHA-256 of the bytes they were given. Read through {@link
 * DeliveriesITServlet}.
 */
@ApplicationScoped
public class DeliveriesITObserver {
  /** A delivery as the observers saw it. */
  record Seen(int count, String sha256) {}

  static final Map<String, Seen> SEEN = new ConcurrentHashMap<>();

  void record(@Observes VerifiedEvent event) {
    String sha256 = sha256(event.body());
    SEEN.merge(
        event.id(),
        new Seen(1, sha256),
        (before, now) -> new Seen(before.count() + 1, now.sha256()));
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
