// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code addresses --out FILE [--source URL]}: writes the addresses Stripe currently sends webhooks
 * from to the file {@code stripe.webhook.stripe-ips-file} reads, so that a deployment with {@code
 * allowed-ips=stripe} follows Stripe's list without a new release of the library.
 *
 * <p>The list is Stripe's published one (one address per line). It is checked before anything is
 * written: every line an IPv4 or IPv6 address, at least one of them, at most 64 KiB; a list that
 * fails leaves the file as it was (exit 1). The file is replaced in one move, so a filter reading
 * it at start-up never sees half of it.
 */
final class AddressesCommand {
  static final String STRIPE_LIST = "https://stripe.com/files/ips/ips_webhooks.txt";
  private static final String USAGE =
      "usage: stripe-webhook-cli addresses --out FILE" + " [--source URL]";
  private static final int MAX_BYTES = 64 * 1024;
  private static final Pattern IPV4 =
      Pattern.compile(
          "((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)");
  private static final Pattern IPV6 = Pattern.compile("[0-9a-fA-F:]*:[0-9a-fA-F:.]*");

  private AddressesCommand() {}

  static int run(String[] args, PrintStream out, PrintStream err, Clock clock) {
    Map<String, String> options;
    try {
      options = CommandLine.parse(args, Set.of("out", "source"), Set.of());
    } catch (CommandLine.UsageException e) {
      return usage(err, e.getMessage());
    }
    if (!options.containsKey("out")) {
      return usage(err, "--out is required: the file stripe.webhook.stripe-ips-file names");
    }
    String source = options.getOrDefault("source", STRIPE_LIST);
    List<String> addresses;
    try {
      addresses = addresses(fetch(source));
    } catch (IOException | IllegalArgumentException e) {
      err.println("Stripe's address list was not written: " + e.getMessage());
      return 1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      err.println("Stripe's address list was not written: interrupted");
      return 1;
    }
    Path file = Path.of(options.get("out"));
    try {
      write(file, source, addresses, LocalDate.now(clock));
    } catch (IOException e) {
      err.println("Stripe's address list was not written to " + file + ": " + e);
      return 1;
    }
    out.println(
        "Wrote "
            + addresses.size()
            + " Stripe webhook addresses to "
            + file
            + "; the filter reads them at start-up (stripe.webhook.stripe-ips-file).");
    return 0;
  }

  private static byte[] fetch(String source) throws IOException, InterruptedException {
    HttpClient client =
        HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(10))
            .followRedirects(HttpClient.Redirect.NORMAL)
            .build();
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(source)).timeout(Duration.ofSeconds(20)).GET().build();
    HttpResponse<byte[]> response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
    if (response.statusCode() != 200) {
      throw new IOException(source + " answered " + response.statusCode());
    }
    if (response.body().length > MAX_BYTES) {
      throw new IOException(source + " sent more than " + MAX_BYTES + " bytes");
    }
    return response.body();
  }

  /** The addresses of Stripe's published list, checked; blank lines and # comments skipped. */
  static List<String> addresses(byte[] list) {
    List<String> addresses = new ArrayList<>();
    for (String line : new String(list, StandardCharsets.UTF_8).split("\r?\n")) {
      String address = line.replaceFirst("#.*", "").strip();
      if (address.isEmpty()) {
        continue;
      }
      if (!IPV4.matcher(address).matches() && !IPV6.matcher(address).matches()) {
        throw new IllegalArgumentException(
            "a line of the list is not an IP address: '"
                + (address.length() > 60 ? address.substring(0, 60) + "..." : address)
                + "'");
      }
      addresses.add(address);
    }
    if (addresses.isEmpty()) {
      throw new IllegalArgumentException("the list has no addresses");
    }
    return addresses;
  }

  private static void write(Path file, String source, List<String> addresses, LocalDate today)
      throws IOException {
    StringBuilder text =
        new StringBuilder()
            .append("# The addresses Stripe sends webhooks from, from ")
            .append(source)
            .append('\n')
            .append("# Taken ")
            .append(today)
            .append(" by stripe-webhook-cli addresses (")
            .append(addresses.size())
            .append(" addresses).\n");
    addresses.forEach(address -> text.append(address).append('\n'));
    Path absolute = file.toAbsolutePath();
    Path temporary = Files.createTempFile(absolute.getParent(), ".stripe-ips", ".tmp");
    try {
      Files.writeString(temporary, text, StandardCharsets.UTF_8);
      Files.move(
          temporary, absolute, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(temporary);
    }
  }

  private static int usage(PrintStream err, String problem) {
    err.println(problem);
    err.println(USAGE);
    return 2;
  }
}
