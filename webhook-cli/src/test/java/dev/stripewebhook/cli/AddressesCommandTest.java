// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.stripewebhook.internal.AddressRange;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code addresses} against a local server that answers as stripe.com/files/ips does. */
class AddressesCommandTest {
  /** Stripe's ips_webhooks.txt as published on 2026-12-02. */
  static final String PUBLISHED =
      "3.18.12.63\n3.69.109.8\n3.120.168.93\n3.130.192.231\n"
          + "13.235.14.237\n13.235.122.149\n18.211.135.69\n35.154.171.200\n35.157.207.129\n"
          + "52.15.183.38\n54.88.130.119\n54.88.130.237\n54.187.174.169\n54.187.205.235\n"
          + "54.187.216.72\n";

  static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-02T10:00:00Z"), ZoneOffset.UTC);

  @TempDir Path dir;
  HttpServer stripe;
  volatile String served = PUBLISHED;
  volatile int status = 200;
  final ByteArrayOutputStream printed = new ByteArrayOutputStream();
  final PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);

  @BeforeEach
  void start() throws IOException {
    stripe = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    stripe.createContext(
        "/files/ips/ips_webhooks.txt",
        exchange -> {
          byte[] body = served.getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(status, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    stripe.start();
  }

  @AfterEach
  void stop() {
    stripe.stop(0);
  }

  int run(Path file) {
    String source =
        "http://127.0.0.1:" + stripe.getAddress().getPort() + "/files/ips/ips_webhooks.txt";
    return AddressesCommand.run(
        new String[] {"--out", file.toString(), "--source", source}, out, out, CLOCK);
  }

  @Test
  void writesStripesListWhereTheFilterReadsIt() throws Exception {
    Path file = dir.resolve("stripe-ips.txt");
    assertThat(run(file)).isZero();

    assertThat(Files.readString(file))
        .startsWith("# The addresses Stripe sends webhooks from")
        .contains("# Taken 2026-12-02")
        .endsWith("54.187.216.72\n");
    List<AddressRange> stripe = AddressRange.parseAll(List.of("stripe"), file.toString());
    assertThat(stripe).hasSize(15);
    assertThat(stripe)
        .anySatisfy(
            range -> assertThat(range.contains(AddressRange.literal("35.157.207.129"))).isTrue());
    assertThat(printed.toString(StandardCharsets.UTF_8)).contains("Wrote 15 Stripe webhook");
  }

  @Test
  void aBadListOrAnErrorLeavesTheFileAsItWas() throws Exception {
    Path file = dir.resolve("stripe-ips.txt");
    Files.writeString(file, "198.51.100.7\n");

    served = "<html>maintenance</html>\n";
    assertThat(run(file)).isEqualTo(1);
    served = "# nothing\n\n";
    assertThat(run(file)).isEqualTo(1);
    served = PUBLISHED;
    status = 503;
    assertThat(run(file)).isEqualTo(1);

    assertThat(Files.readString(file)).isEqualTo("198.51.100.7\n");
    assertThat(printed.toString(StandardCharsets.UTF_8))
        .contains("not an IP address: '<html>maintenance</html>'")
        .contains("has no addresses")
        .contains("answered 503");
    try (var files = Files.list(dir)) {
      assertThat(files).containsExactly(file);
    }
  }

  @Test
  void withoutOutItIsAUsageError() {
    assertThat(AddressesCommand.run(new String[0], out, out, CLOCK)).isEqualTo(2);
    assertThat(printed.toString(StandardCharsets.UTF_8)).contains("--out is required");
  }
}
