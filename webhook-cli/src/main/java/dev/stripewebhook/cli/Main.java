// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.cli;

import dev.stripewebhook.testing.WebhookSender;
import java.io.PrintStream;
import java.time.Clock;
import java.util.Arrays;

/**
 * {@code java -jar stripe-webhook-cli.jar send|recover|sync|addresses [options]}: the operators'
 * commands in one runnable jar.
 *
 * <ul>
 *   <li>{@code send}: signs a realistic event and posts it to an endpoint ({@link WebhookSender});
 *   <li>{@code recover}: stores and handles the events Stripe could not deliver ({@link
 *       RecoveryCommand});
 *   <li>{@code sync}: keeps an endpoint's enabled events in line with the code ({@link
 *       EndpointSync});
 *   <li>{@code addresses}: writes Stripe's current webhook addresses to the file {@code
 *       stripe.webhook.stripe-ips-file} names ({@link AddressesCommand}).
 * </ul>
 */
public final class Main {
  private Main() {}

  /**
   * Exits with the command's status: 0 done, 1 some events failed, 2 a usage error, 3 Stripe's API
   * answered an error.
   */
  public static void main(String[] args) throws Exception {
    System.exit(run(args, System.out, System.err));
  }

  static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
    String command = args.length == 0 ? "" : args[0];
    String[] rest = args.length == 0 ? args : Arrays.copyOfRange(args, 1, args.length);
    switch (command) {
      case "send":
        WebhookSender.main(rest);
        return 0;
      case "recover":
        return RecoveryCommand.run(
            rest, out, err, name -> System.getProperty(name, System.getenv(name)));
      case "sync":
        return EndpointSync.run(rest, out, err, System.getenv("STRIPE_API_KEY"));
      case "addresses":
        return AddressesCommand.run(rest, out, err, Clock.systemUTC());
      default:
        err.println(
            "usage: stripe-webhook-cli send|recover|sync|addresses [options]"
                + (command.isEmpty() ? "" : " (unknown command '" + command + "')"));
        return 2;
    }
  }
}
