// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.cli;

import com.stripe.StripeClient;
import com.stripe.exception.StripeException;
import dev.stripewebhook.CommaList;
import dev.stripewebhook.EventHandlers;
import dev.stripewebhook.LogText;
import dev.stripewebhook.WebhookConfig;
import dev.stripewebhook.cli.CommandLine.UsageException;
import dev.stripewebhook.inbox.EventInbox;
import dev.stripewebhook.inbox.InMemoryEventInbox;
import dev.stripewebhook.inbox.InboxOptions;
import dev.stripewebhook.inbox.JdbcEventInbox;
import dev.stripewebhook.pipeline.WebhookEndpoint;
import dev.stripewebhook.recovery.EventRecovery;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The command line of {@link EventRecovery#main(String[])}. */
final class RecoveryCommand {
  private static final Set<String> FLAGS = Set.of("undelivered-only", "dry-run");
  private static final Set<String> OPTIONS =
      Set.of(
          "since",
          "until",
          "type",
          "events-api",
          "object",
          "jdbc-url",
          "jdbc-user",
          "jdbc-password",
          "api-key",
          "api-base");

  /** Where the database password may come from instead of the command line: {@value}. */
  static final String JDBC_PASSWORD_VARIABLE = "STRIPE_WEBHOOK_JDBC_PASSWORD";

  private static final Pattern AGO = Pattern.compile("(\\d{1,4})([dhm])");
  private static final String USAGE =
      "usage: stripe-webhook-cli recover --since 30d|12h|2026-11-01T00:00:00Z"
          + " [--until ISO] [--undelivered-only] [--type a.b,c.d] [--events-api v1|v2]"
          + " [--object ID] --jdbc-url URL [--jdbc-user U] [--jdbc-password P] [--dry-run]";

  private RecoveryCommand() {}

  /**
   * Runs the command; {@code settings} is asked for configuration keys and environment names (the
   * process's system properties, then its environment).
   */
  static int run(String[] args, PrintStream out, PrintStream err, Function<String, String> settings)
      throws Exception {
    Map<String, String> options;
    WebhookConfig config;
    EventRecovery.Range range;
    EventRecovery.Options recoveryOptions;
    String apiKey;
    try {
      options = parse(args);
      config = WebhookConfig.fromSources(settings);
      range = range(options, config);
      recoveryOptions = recoveryOptions(options);
      apiKey = options.getOrDefault("api-key", setting(settings, "STRIPE_API_KEY"));
      if (apiKey == null || apiKey.isBlank()) {
        throw new UsageException("no API key: set STRIPE_API_KEY or pass --api-key");
      }
      if (!options.containsKey("jdbc-url") && !recoveryOptions.dryRun()) {
        throw new UsageException(
            "--jdbc-url is required: the database of the application's"
                + " event inbox (or --dry-run to list only)");
      }
    } catch (UsageException | IllegalArgumentException | IllegalStateException e) {
      err.println(e.getMessage());
      err.println(USAGE);
      return 2;
    }
    InboxOptions inboxOptions =
        InboxOptions.builder()
            .clock(config.verification().clock())
            .attempts(config.processing().attempts())
            .retention(Duration.ofDays(config.processing().retentionDays()))
            .build();
    EventInbox inbox =
        options.containsKey("jdbc-url")
            ? JdbcEventInbox.create(
                new DriverManagerDataSource(
                    options.get("jdbc-url"),
                    options.get("jdbc-user"),
                    options.getOrDefault(
                        "jdbc-password", setting(settings, JDBC_PASSWORD_VARIABLE))),
                inboxOptions)
            : new InMemoryEventInbox(inboxOptions);
    ClassLoader loader = RecoveryCommand.class.getClassLoader();
    EventHandlers handlers =
        EventHandlers.builder()
            .instantiate(config.processing().handlers(), loader)
            .loadServices(loader)
            .build();
    if (handlers.isEmpty() && !recoveryOptions.dryRun()) {
      out.println(
          "note: no handlers ("
              + WebhookConfig.Keys.HANDLERS
              + " or META-INF/services):"
              + " events are stored but not processed; they are processed when Stripe delivers them"
              + " again (resend them from the Dashboard), or by a recovery run with handlers");
    }
    StripeClient.StripeClientBuilder client =
        StripeClient.builder().setApiKey(apiKey).setMaxNetworkRetries(2);
    if (options.containsKey("api-base")) {
      client.setApiBase(options.get("api-base"));
    }
    EventRecovery recovery =
        EventRecovery.create(
                client.build(),
                config,
                WebhookEndpoint.builder(config)
                    .handlers(handlers)
                    .inbox(inbox)
                    .label("Recovery")
                    .build())
            .reportingTo(out::println);
    EventRecovery.Report report;
    try {
      report = recovery.run(range, recoveryOptions);
    } catch (StripeException e) {
      err.println(apiError("Stripe's Events API could not be read", e));
      err.println("Events stored before the failure are kept; run again to continue.");
      return API_ERROR;
    }
    if (recoveryOptions.dryRun()) {
      out.println(
          "Dry run: "
              + report.listed()
              + " listed, "
              + report.stored()
              + " not in the inbox, "
              + report.alreadyPresent()
              + " already present, "
              + report.refused()
              + " refused; nothing was stored or handled.");
      return 0;
    }
    out.println(report);
    if (report.failed() > 0) {
      out.println(
          "Failed: "
              + String.join(", ", report.failedEventIds())
              + " (kept in the inbox as failed; fix the cause, then replay them or run again)");
      return 1;
    }
    return 0;
  }

  private static Map<String, String> parse(String[] args) throws UsageException {
    Map<String, String> options = CommandLine.parse(args, OPTIONS, FLAGS);
    if (!options.containsKey("since")) {
      throw new UsageException(
          "--since is required: 30d, 12h, 90m, or an instant such as" + " 2026-11-01T00:00:00Z");
    }
    return options;
  }

  private static EventRecovery.Range range(Map<String, String> options, WebhookConfig config)
      throws UsageException {
    Instant now = config.verification().clock().instant().truncatedTo(ChronoUnit.SECONDS);
    Instant since = instant("--since", options.get("since"), now);
    Instant until =
        options.containsKey("until") ? instant("--until", options.get("until"), now) : null;
    if (until != null && !since.isBefore(until)) {
      throw new UsageException("--since " + since + " is not before --until " + until);
    }
    return new EventRecovery.Range(since, until);
  }

  /** {@code 30d}, {@code 12h}, {@code 90m} before now, an instant, or a date (midnight UTC). */
  static Instant instant(String option, String value, Instant now) throws UsageException {
    Matcher ago = AGO.matcher(value);
    if (ago.matches()) {
      long amount = Long.parseLong(ago.group(1));
      return now.minus(
          switch (ago.group(2)) {
            case "d" -> Duration.ofDays(amount);
            case "h" -> Duration.ofHours(amount);
            default -> Duration.ofMinutes(amount);
          });
    }
    try {
      return value.contains("T")
          ? Instant.parse(value)
          : LocalDate.parse(value).atStartOfDay(ZoneOffset.UTC).toInstant();
    } catch (DateTimeParseException e) {
      throw new UsageException(
          option
              + ": '"
              + value
              + "' is neither a period before now (30d,"
              + " 12h, 90m) nor an instant such as 2026-11-01T00:00:00Z or a date such as 2026-11-01");
    }
  }

  /** The exit status when Stripe's API answers an error (a wrong key, no network): {@value}. */
  static final int API_ERROR = 3;

  /**
   * One line for a failed API call: what failed, the HTTP status and Stripe's message, with any key
   * or secret in it masked.
   */
  static String apiError(String what, StripeException e) {
    return what
        + (e.getStatusCode() == null ? "" : " (HTTP " + e.getStatusCode() + ")")
        + ": "
        + LogText.withoutKeys(Objects.toString(e.getMessage(), e.getClass().getSimpleName()));
  }

  private static EventRecovery.Options recoveryOptions(Map<String, String> options)
      throws UsageException {
    EventRecovery.Options result = EventRecovery.Options.all();
    String api = options.getOrDefault("events-api", "v1");
    switch (api) {
      case "v1" -> {}
      case "v2" -> result = result.from(EventRecovery.EventsApi.V2);
      default ->
          throw new UsageException(
              "--events-api: '" + api + "' is neither v1 (snapshot events) nor v2 (thin events)");
    }
    if (options.containsKey("object")) {
      try {
        result = result.onlyObject(options.get("object"));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("--object: " + e.getMessage() + " (--events-api v2)");
      }
    }
    if (options.containsKey("undelivered-only")) {
      result = result.onlyUndelivered();
    }
    if (options.containsKey("type")) {
      List<String> types = CommaList.split(options.get("type"));
      try {
        result = result.onlyTypes(types);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("--type: " + e.getMessage());
      }
    }
    if (options.containsKey("dry-run")) {
      result = result.listOnly();
    }
    return result;
  }

  private static String setting(Function<String, String> settings, String name) {
    String value = settings.apply(name);
    return value == null || value.isBlank() ? null : value.strip();
  }
}
