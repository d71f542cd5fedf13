// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.cli;

import com.stripe.Stripe;
import com.stripe.StripeClient;
import com.stripe.exception.StripeException;
import com.stripe.model.WebhookEndpoint;
import com.stripe.param.WebhookEndpointCreateParams;
import com.stripe.param.WebhookEndpointListParams;
import com.stripe.param.WebhookEndpointUpdateParams;
import dev.stripewebhook.CommaList;
import dev.stripewebhook.EventHandlers;
import dev.stripewebhook.EventTypePattern;
import dev.stripewebhook.StripeEventHandler;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Creates or updates the Stripe webhook endpoint of a URL so that its {@code enabled_events} are
 * exactly the event types the application handles: patterns ({@code customer.subscription.*})
 * expanded against stripe-java's list of event types. A dry run by default, printing the
 * difference.
 *
 * <h2>Command line</h2>
 *
 * <pre>
 * java dev.stripewebhook.cli.EndpointSync --url https://shop.example/webhooks/stripe
 *     [--types invoice.paid,customer.subscription.*] [--types-file types.txt]
 *     [--handlers com.example.InvoiceHandler,...] [--apply]
 *     [--destination thin|snapshot [--enable|--disable] [--name NAME]]
 * </pre>
 *
 * The API key comes from {@code STRIPE_API_KEY} (or {@code --api-key}). The types are the union of
 * {@code --types}, the lines of {@code --types-file} (the list the CDI extension logs at start-up
 * fits: {@code #} comments and brackets are ignored) and the {@code eventTypes()} of the {@code
 * --handlers} classes. The signing secret is printed only when an endpoint is created: Stripe shows
 * it only then.
 *
 * <p>With {@code --destination thin|snapshot} the command manages the event destination of the URL
 * that sends that payload instead ({@link EventDestinationSync}), and {@code --enable} or {@code
 * --disable} also sets its status; {@code --name} names a destination it creates (default: the
 * URL). Stripe's API errors end the command with status 3 and one line, the key masked.
 *
 * @since 0.1
 */
public final class EndpointSync {
  private final StripeClient client;
  private final PrintStream out;

  /** A sync through {@code client}, reporting to {@code out}. */
  public EndpointSync(StripeClient client, PrintStream out) {
    this.client = Objects.requireNonNull(client, "client == null");
    this.out = Objects.requireNonNull(out, "out == null");
  }

  /** What would change for one endpoint. */
  public record Plan(
      String url, WebhookEndpoint existing, SortedSet<String> current, SortedSet<String> wanted) {

    /** Whether the endpoint exists and already has the wanted types. */
    public boolean upToDate() {
      return existing != null && current.equals(wanted);
    }
  }

  /**
   * Every Stripe event type the patterns match, sorted; {@code *} alone when one pattern is {@code
   * *}.
   *
   * @throws IllegalArgumentException naming a pattern that matches no Stripe event type
   */
  public static SortedSet<String> expand(Set<String> patterns) {
    if (patterns.contains("*")) {
      return new TreeSet<>(Set.of("*"));
    }
    List<String> known =
        Arrays.stream(WebhookEndpointCreateParams.EnabledEvent.values())
            .map(WebhookEndpointCreateParams.EnabledEvent::getValue)
            .filter(type -> !type.equals("*"))
            .toList();
    SortedSet<String> types = new TreeSet<>();
    for (String pattern : patterns) {
      EventTypePattern.check(pattern, "the event types to sync");
      List<String> matching =
          known.stream().filter(type -> EventTypePattern.matches(pattern, type)).toList();
      if (matching.isEmpty()) {
        throw new IllegalArgumentException(
            "No Stripe event type matches '"
                + pattern
                + "' (in"
                + " stripe-java "
                + Stripe.VERSION
                + "); thin event types are not for webhook"
                + " endpoints but for event destinations (--destination thin)");
      }
      types.addAll(matching);
    }
    return types;
  }

  /** Finds the endpoint of {@code url} and compares its types with {@code patterns}'. */
  public Plan plan(String url, Set<String> patterns) throws StripeException {
    SortedSet<String> wanted = expand(patterns);
    for (WebhookEndpoint endpoint :
        client
            .v1()
            .webhookEndpoints()
            .list(WebhookEndpointListParams.builder().setLimit(100L).build())
            .autoPagingIterable()) {
      if (url.equals(endpoint.getUrl())) {
        return new Plan(url, endpoint, new TreeSet<>(endpoint.getEnabledEvents()), wanted);
      }
    }
    return new Plan(url, null, new TreeSet<>(), wanted);
  }

  /** Prints what {@code plan} changes. */
  public void print(Plan plan) {
    if (plan.existing() == null) {
      out.println(
          "No endpoint has the URL "
              + plan.url()
              + "; one would be created with API"
              + " version "
              + Stripe.API_VERSION
              + " and "
              + plan.wanted().size()
              + " event types:");
      plan.wanted().forEach(type -> out.println("  + " + type));
      return;
    }
    WebhookEndpoint endpoint = plan.existing();
    out.println(
        "Endpoint "
            + endpoint.getId()
            + " ("
            + plan.url()
            + "), API version "
            + endpoint.getApiVersion()
            + ", status "
            + endpoint.getStatus());
    if (endpoint.getApiVersion() != null && !endpoint.getApiVersion().equals(Stripe.API_VERSION)) {
      out.println(
          "  note: stripe-java "
              + Stripe.VERSION
              + " is built for "
              + Stripe.API_VERSION
              + "; an endpoint's API version cannot be changed, create a new endpoint to move");
    }
    if (plan.upToDate()) {
      out.println("  enabled_events are up to date (" + plan.wanted().size() + " types)");
      return;
    }
    printDifference(out, plan.current(), plan.wanted());
  }

  /** Prints {@code + type} for each type to enable, then {@code - type} for each to disable. */
  static void printDifference(PrintStream out, Set<String> current, Set<String> wanted) {
    wanted.stream()
        .filter(type -> !current.contains(type))
        .forEach(type -> out.println("  + " + type));
    current.stream()
        .filter(type -> !wanted.contains(type))
        .forEach(type -> out.println("  - " + type));
  }

  /**
   * Creates or updates the endpoint as planned; returns it, or the existing one when up to date.
   */
  public WebhookEndpoint apply(Plan plan) throws StripeException {
    if (plan.upToDate()) {
      return plan.existing();
    }
    if (plan.existing() == null) {
      WebhookEndpointCreateParams.Builder create =
          WebhookEndpointCreateParams.builder()
              .setUrl(plan.url())
              .putExtraParam("api_version", Stripe.API_VERSION);
      plan.wanted().forEach(type -> create.addEnabledEvent(createEvent(type)));
      WebhookEndpoint created = client.v1().webhookEndpoints().create(create.build());
      out.println(
          "Created endpoint "
              + created.getId()
              + ". Its signing secret, shown this once"
              + " (store it as STRIPE_WEBHOOK_SECRET):");
      out.println("  " + created.getSecret());
      return created;
    }
    WebhookEndpointUpdateParams.Builder update = WebhookEndpointUpdateParams.builder();
    plan.wanted().forEach(type -> update.addEnabledEvent(updateEvent(type)));
    WebhookEndpoint updated =
        client.v1().webhookEndpoints().update(plan.existing().getId(), update.build());
    out.println(
        "Updated endpoint " + updated.getId() + ": " + plan.wanted().size() + " event types");
    return updated;
  }

  private static WebhookEndpointCreateParams.EnabledEvent createEvent(String type) {
    return Arrays.stream(WebhookEndpointCreateParams.EnabledEvent.values())
        .filter(event -> event.getValue().equals(type))
        .findFirst()
        .orElseThrow();
  }

  private static WebhookEndpointUpdateParams.EnabledEvent updateEvent(String type) {
    return Arrays.stream(WebhookEndpointUpdateParams.EnabledEvent.values())
        .filter(event -> event.getValue().equals(type))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("stripe-java cannot update " + type));
  }

  /** The event type patterns of the command line's sources. */
  static Set<String> patterns(Map<String, String> options) throws IOException {
    Set<String> patterns = new TreeSet<>();
    if (options.containsKey("types")) {
      patterns.addAll(CommaList.split(options.get("types")));
    }
    if (options.containsKey("types-file")) {
      for (String line : Files.readAllLines(Path.of(options.get("types-file")))) {
        String content = line.replaceFirst("#.*", "").replace("[", "").replace("]", "");
        patterns.addAll(CommaList.split(content));
      }
    }
    if (options.containsKey("handlers")) {
      EventHandlers handlers =
          EventHandlers.builder()
              .instantiate(
                  CommaList.split(options.get("handlers")), EndpointSync.class.getClassLoader())
              .build();
      for (StripeEventHandler handler : handlers.all()) {
        patterns.addAll(handler.eventTypes());
      }
    }
    return patterns;
  }

  static int run(String[] args, PrintStream out, PrintStream err, String environmentKey)
      throws Exception {
    Map<String, String> options;
    try {
      options =
          CommandLine.parse(
              args,
              Set.of(
                  "url",
                  "types",
                  "types-file",
                  "handlers",
                  "api-key",
                  "api-base",
                  "destination",
                  "name"),
              Set.of("apply", "enable", "disable"));
    } catch (CommandLine.UsageException e) {
      return usage(err, e.getMessage());
    }
    String url = options.get("url");
    String apiKey = options.getOrDefault("api-key", environmentKey);
    if (url == null) {
      return usage(err, "--url is required: the endpoint's public URL");
    }
    if (apiKey == null || apiKey.isBlank()) {
      return usage(err, "no API key: set STRIPE_API_KEY or pass --api-key");
    }
    EventDestinationSync.Payload payload = null;
    if (options.containsKey("destination")) {
      switch (options.get("destination")) {
        case "thin" -> payload = EventDestinationSync.Payload.THIN;
        case "snapshot" -> payload = EventDestinationSync.Payload.SNAPSHOT;
        default -> {
          return usage(
              err,
              "--destination: '"
                  + options.get("destination")
                  + "' is neither thin nor snapshot (the event destination's payload)");
        }
      }
    }
    if (options.containsKey("enable") && options.containsKey("disable")) {
      return usage(err, "--enable and --disable: give one");
    }
    if (payload == null
        && (options.containsKey("enable")
            || options.containsKey("disable")
            || options.containsKey("name"))) {
      return usage(
          err, "--enable, --disable and --name are for event destinations: add --destination");
    }
    Set<String> patterns = patterns(options);
    if (patterns.isEmpty()) {
      return usage(err, "no event types: give --types, --types-file or --handlers");
    }
    StripeClient.StripeClientBuilder builder = StripeClient.builder().setApiKey(apiKey);
    if (options.containsKey("api-base")) {
      builder.setApiBase(options.get("api-base"));
    }
    try {
      if (payload != null) {
        return syncDestination(builder.build(), out, url, payload, patterns, options);
      }
      EndpointSync sync = new EndpointSync(builder.build(), out);
      Plan plan = sync.plan(url, patterns);
      sync.print(plan);
      if (options.containsKey("apply")) {
        sync.apply(plan);
      } else if (!plan.upToDate()) {
        out.println("Dry run: nothing was changed. Run again with --apply to change it.");
      }
      return 0;
    } catch (IllegalArgumentException e) {
      return usage(err, e.getMessage());
    } catch (StripeException e) {
      err.println(RecoveryCommand.apiError("Stripe's API answered an error", e));
      return RecoveryCommand.API_ERROR;
    }
  }

  private static int syncDestination(
      StripeClient client,
      PrintStream out,
      String url,
      EventDestinationSync.Payload payload,
      Set<String> patterns,
      Map<String, String> options)
      throws StripeException {
    EventDestinationSync sync = new EventDestinationSync(client, out);
    String status =
        options.containsKey("enable")
            ? "enabled"
            : options.containsKey("disable") ? "disabled" : null;
    EventDestinationSync.Plan plan = sync.plan(url, payload, patterns, status);
    sync.print(plan);
    if (options.containsKey("apply")) {
      sync.apply(plan, options.getOrDefault("name", url));
    } else if (!plan.upToDate()) {
      out.println("Dry run: nothing was changed. Run again with --apply to change it.");
    }
    return 0;
  }

  private static int usage(PrintStream err, String problem) {
    err.println(problem);
    err.println(
        "usage: stripe-webhook-cli sync --url URL [--types a,b.*] [--types-file FILE]"
            + " [--handlers class,...] [--apply] [--api-key sk_...]"
            + " [--destination thin|snapshot [--enable|--disable] [--name NAME]]");
    return 2;
  }
}
