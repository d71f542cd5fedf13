// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.cli;

import com.stripe.Stripe;
import com.stripe.StripeClient;
import com.stripe.exception.StripeException;
import com.stripe.model.v2.EventDataClassLookup;
import com.stripe.model.v2.core.EventDestination;
import com.stripe.param.v2.core.EventDestinationCreateParams;
import com.stripe.param.v2.core.EventDestinationListParams;
import com.stripe.param.v2.core.EventDestinationUpdateParams;
import dev.stripewebhook.EventTypePattern;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Creates or updates the Stripe event destination that delivers to a URL (type {@code
 * webhook_endpoint}, Stripe's {@code /v2/core/event_destinations}) so that its {@code
 * enabled_events} are exactly the event types the application handles, and optionally enables or
 * disables it. The counterpart of {@link EndpointSync} for event destinations: a dry run by
 * default, printing the difference.
 *
 * <p>A destination sends either thin notifications or snapshot events ({@code event_payload}),
 * fixed when it is created, as is a snapshot destination's API version ({@code
 * snapshot_api_version}): the destination synced is the one of the URL with the asked payload; a
 * new one is created when there is none. For thin payloads, patterns ({@code v1.billing.meter.*})
 * are expanded against the thin event types stripe-java knows; exact types are sent as given, so
 * that types newer than stripe-java (Stripe's {@code v2.core.health.*} alerts) can be enabled. For
 * snapshot payloads, the types are expanded as for a webhook endpoint ({@link
 * EndpointSync#expand}). Everything goes through stripe-java's typed service {@code
 * client.v2().core().eventDestinations()}.
 *
 * @since 0.1
 */
public final class EventDestinationSync {
  /** What a destination sends, Stripe's {@code event_payload}. */
  public enum Payload {
    /** Thin event notifications ({@code v2.core.event}). */
    THIN,
    /** Snapshot events, in the destination's {@code snapshot_api_version}. */
    SNAPSHOT;

    /** Stripe's name: {@code thin} or {@code snapshot}. */
    public String value() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private static final String ENABLED = "enabled";
  private static final String DISABLED = "disabled";

  private final StripeClient client;
  private final PrintStream out;

  /** A sync through {@code client}, reporting to {@code out}. */
  public EventDestinationSync(StripeClient client, PrintStream out) {
    this.client = Objects.requireNonNull(client, "client == null");
    this.out = Objects.requireNonNull(out, "out == null");
  }

  /**
   * What would change for the destination of a URL.
   *
   * @param url the URL it delivers to
   * @param payload what it sends
   * @param existing the destination, or null when there is none (one is created)
   * @param current its enabled event types (empty when there is none)
   * @param wanted the event types it should have
   * @param wantedStatus {@code enabled} or {@code disabled}; null to leave the status as it is
   * @param others other destinations that deliver the same payload to the URL: left alone
   */
  public record Plan(
      String url,
      Payload payload,
      EventDestination existing,
      SortedSet<String> current,
      SortedSet<String> wanted,
      String wantedStatus,
      List<String> others) {

    /** Copies the collections. */
    public Plan {
      current = new TreeSet<>(current);
      wanted = new TreeSet<>(wanted);
      others = List.copyOf(others);
    }

    /** Whether its enabled events are to change. */
    public boolean eventsChange() {
      return existing == null || !current.equals(wanted);
    }

    /** Whether its status is to change. */
    public boolean statusChanges() {
      return existing != null && wantedStatus != null && !wantedStatus.equals(existing.getStatus());
    }

    /** Whether the destination exists as wanted. */
    public boolean upToDate() {
      return !eventsChange() && !statusChanges();
    }
  }

  /**
   * The event types of {@code patterns} for a destination of {@code payload}, sorted.
   *
   * @throws IllegalArgumentException naming a pattern that matches no Stripe event type
   */
  public static SortedSet<String> expand(Set<String> patterns, Payload payload) {
    if (payload == Payload.SNAPSHOT) {
      return EndpointSync.expand(patterns);
    }
    List<String> known = new ArrayList<>(EventDataClassLookup.eventClassLookup.keySet());
    SortedSet<String> types = new TreeSet<>();
    for (String pattern : patterns) {
      EventTypePattern.check(pattern, "the event types to sync");
      if (!pattern.contains("*")) {
        types.add(pattern);
        continue;
      }
      List<String> matching =
          known.stream().filter(type -> EventTypePattern.matches(pattern, type)).toList();
      if (matching.isEmpty()) {
        throw new IllegalArgumentException(
            "No thin event type matches '"
                + pattern
                + "' (in stripe-java "
                + Stripe.VERSION
                + "); give exact types for newer ones, and snapshot types with"
                + " --destination snapshot");
      }
      types.addAll(matching);
    }
    return types;
  }

  /**
   * Finds the destination of {@code url} sending {@code payload} and compares it with what is
   * wanted; {@code wantedStatus} is {@code enabled}, {@code disabled} or null (leave it).
   */
  public Plan plan(String url, Payload payload, Set<String> patterns, String wantedStatus)
      throws StripeException {
    if (wantedStatus != null && !wantedStatus.equals(ENABLED) && !wantedStatus.equals(DISABLED)) {
      throw new IllegalArgumentException("the status is enabled or disabled, not " + wantedStatus);
    }
    SortedSet<String> wanted = expand(patterns, payload);
    EventDestination found = null;
    List<String> others = new ArrayList<>();
    // The URL is returned only when asked for (include=webhook_endpoint.url).
    for (EventDestination destination :
        client
            .v2()
            .core()
            .eventDestinations()
            .list(
                EventDestinationListParams.builder()
                    .addInclude(EventDestinationListParams.Include.WEBHOOK_ENDPOINT__URL)
                    .build())
            .autoPagingIterable()) {
      if ("webhook_endpoint".equals(destination.getType())
          && destination.getWebhookEndpoint() != null
          && url.equals(destination.getWebhookEndpoint().getUrl())
          && payload.value().equals(destination.getEventPayload())) {
        if (found == null) {
          found = destination;
        } else {
          others.add(destination.getId());
        }
      }
    }
    SortedSet<String> current =
        found == null || found.getEnabledEvents() == null
            ? new TreeSet<>()
            : new TreeSet<>(found.getEnabledEvents());
    return new Plan(url, payload, found, current, wanted, wantedStatus, others);
  }

  /** Prints what {@code plan} changes. */
  public void print(Plan plan) {
    if (plan.existing() == null) {
      out.println(
          "No event destination sends "
              + plan.payload().value()
              + " events to "
              + plan.url()
              + "; one would be created ("
              + plan.payload().value()
              + " payload"
              + (plan.payload() == Payload.SNAPSHOT ? ", API version " + Stripe.API_VERSION : "")
              + (DISABLED.equals(plan.wantedStatus()) ? ", then disabled" : "")
              + ") with "
              + plan.wanted().size()
              + " event types:");
      plan.wanted().forEach(type -> out.println("  + " + type));
      return;
    }
    EventDestination destination = plan.existing();
    out.println(
        "Event destination "
            + destination.getId()
            + " ("
            + plan.url()
            + "), "
            + plan.payload().value()
            + " payload"
            + (plan.payload() == Payload.SNAPSHOT
                ? ", API version " + destination.getSnapshotApiVersion()
                : "")
            + ", status "
            + destination.getStatus()
            + disabledReason(destination));
    plan.others()
        .forEach(
            id ->
                out.println(
                    "  note: "
                        + id
                        + " also sends "
                        + plan.payload().value()
                        + " events to this URL; it is left alone"));
    if (plan.payload() == Payload.SNAPSHOT
        && destination.getSnapshotApiVersion() != null
        && !destination.getSnapshotApiVersion().equals(Stripe.API_VERSION)) {
      out.println(
          "  note: stripe-java "
              + Stripe.VERSION
              + " is built for "
              + Stripe.API_VERSION
              + "; a destination's snapshot API version cannot be changed, create a new one to"
              + " move");
    }
    if (plan.statusChanges()) {
      out.println("  status: " + destination.getStatus() + " -> " + plan.wantedStatus());
    }
    if (!plan.eventsChange()) {
      out.println("  enabled_events are up to date (" + plan.wanted().size() + " types)");
      return;
    }
    EndpointSync.printDifference(out, plan.current(), plan.wanted());
  }

  private static String disabledReason(EventDestination destination) {
    return destination.getStatusDetails() != null
            && destination.getStatusDetails().getDisabled() != null
            && destination.getStatusDetails().getDisabled().getReason() != null
        ? " (" + destination.getStatusDetails().getDisabled().getReason() + ")"
        : "";
  }

  /**
   * Creates or updates the destination as planned, named {@code name} when created; returns it, or
   * the existing one when up to date.
   */
  public EventDestination apply(Plan plan, String name) throws StripeException {
    if (plan.upToDate()) {
      return plan.existing();
    }
    EventDestination destination = plan.existing();
    if (destination == null) {
      EventDestinationCreateParams.Builder create =
          EventDestinationCreateParams.builder()
              .setType(EventDestinationCreateParams.Type.WEBHOOK_ENDPOINT)
              .setName(name)
              .setEventPayload(
                  plan.payload() == Payload.THIN
                      ? EventDestinationCreateParams.EventPayload.THIN
                      : EventDestinationCreateParams.EventPayload.SNAPSHOT)
              .addAllEnabledEvent(List.copyOf(plan.wanted()))
              .setWebhookEndpoint(
                  EventDestinationCreateParams.WebhookEndpoint.builder().setUrl(plan.url()).build())
              // The signing secret is in the answer only when asked for, and only now.
              .addInclude(EventDestinationCreateParams.Include.WEBHOOK_ENDPOINT__SIGNING_SECRET);
      if (plan.payload() == Payload.SNAPSHOT) {
        create.setSnapshotApiVersion(Stripe.API_VERSION);
      }
      destination = client.v2().core().eventDestinations().create(create.build());
      out.println(
          "Created event destination "
              + destination.getId()
              + " ("
              + plan.payload().value()
              + " payload). Its signing secret, shown this once (store it as"
              + " STRIPE_WEBHOOK_SECRET):");
      out.println(
          "  "
              + (destination.getWebhookEndpoint() == null
                  ? "(not returned)"
                  : destination.getWebhookEndpoint().getSigningSecret()));
      if (DISABLED.equals(plan.wantedStatus())) {
        destination = client.v2().core().eventDestinations().disable(destination.getId());
        out.println("Disabled event destination " + destination.getId());
      }
      return destination;
    }
    if (plan.eventsChange()) {
      destination =
          client
              .v2()
              .core()
              .eventDestinations()
              .update(
                  destination.getId(),
                  EventDestinationUpdateParams.builder()
                      .addAllEnabledEvent(List.copyOf(plan.wanted()))
                      .build());
      out.println(
          "Updated event destination "
              + destination.getId()
              + ": "
              + plan.wanted().size()
              + " event types");
    }
    if (plan.statusChanges()) {
      String id = plan.existing().getId();
      destination =
          ENABLED.equals(plan.wantedStatus())
              ? client.v2().core().eventDestinations().enable(id)
              : client.v2().core().eventDestinations().disable(id);
      out.println(
          (ENABLED.equals(plan.wantedStatus()) ? "Enabled" : "Disabled")
              + " event destination "
              + id);
    }
    return destination;
  }
}
