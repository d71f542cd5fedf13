// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.pipeline;

import dev.stripewebhook.VerifiedEvent;
import java.time.Instant;

/**
 * Whether a verified event fits the event inbox: the same rule for every way in (a delivery, a
 * recovered event), so that no inbox refuses what another one stores.
 *
 * <p>Not API: may change in any release.
 */
public final class Storable {
  private static final int MAX_ID_LENGTH = 255;
  private static final int MAX_API_VERSION_LENGTH = 64;
  private static final Instant LATEST_CREATED = Instant.parse("9999-12-31T23:59:59Z");

  private Storable() {}

  /**
   * Why the inbox cannot store this event (an id, type, account or object id over 255 characters,
   * an API version over 64, a {@code created} outside the years 1970 to 9999), or null when it can.
   * Nothing Stripe sends fails this.
   */
  public static String problem(VerifiedEvent event) {
    if (event.id().length() > MAX_ID_LENGTH
        || event.type().length() > MAX_ID_LENGTH
        || event.account().map(String::length).orElse(0) > MAX_ID_LENGTH
        || event.dataObjectId().map(String::length).orElse(0) > MAX_ID_LENGTH) {
      return "An id, type, account or object id of this event is over "
          + MAX_ID_LENGTH
          + " characters.";
    }
    if (event.apiVersion().map(String::length).orElse(0) > MAX_API_VERSION_LENGTH) {
      return "The event's api_version is over " + MAX_API_VERSION_LENGTH + " characters.";
    }
    Instant created = event.created().orElse(null);
    if (created != null && (created.isBefore(Instant.EPOCH) || created.isAfter(LATEST_CREATED))) {
      return "The event's created time is outside the years 1970 to 9999.";
    }
    return null;
  }
}
