// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.benchmarks.http;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Splits async-profiler's collapsed stacks of the server's JVM into microseconds of CPU a request,
 * by the part of the delivery that spent them: the table in docs/PERFORMANCE.md ("Where the CPU
 * goes"). Each sample counts once, under the first part whose frame is on its stack; the rest of a
 * request thread is the container's, and samples of other threads are the JIT's, the collector's or
 * other threads'.
 *
 * <pre>
 * java -cp benchmarks.jar dev.stripewebhook.benchmarks.http.CpuSplit \
 *     bare=bare.collapsed:228096 filter=filter.collapsed:154980
 * </pre>
 *
 * Each argument is {@code label=file:requests}, the requests being those of the sampled interval
 * (the turn's rate times the seconds sampled); samples are taken to be a millisecond of CPU each
 * ({@code -e cpu -i 1ms}).
 */
public final class CpuSplit {
  static final String CONTAINER = "container, JDK, kernel";
  static final String OTHER_THREADS = "GC, JIT, other threads";
  static final String TOTAL = "total";

  /** A part of the delivery and a frame that marks it; the first that matches takes the sample. */
  private record Part(String name, String frame) {}

  private static final List<Part> PARTS =
      List.of(
          // the response's bytes are the container's to send, whoever writes them
          new Part(CONTAINER, "dev/stripewebhook/pipeline/Decision.writeBody"),
          new Part("HMAC", "dev/stripewebhook/WebhookSigner.sign"),
          new Part("envelope read", "dev/stripewebhook/EnvelopeReader"),
          new Part("typed object", "dev/stripewebhook/VerifiedEvent.dataObjectFromBody"),
          new Part("signature header, comparison", "dev/stripewebhook/SignatureVerifier"),
          new Part("body read", "dev/stripewebhook/pipeline/BodyReader.read"),
          new Part("delivery line", "dev/stripewebhook/pipeline/WebhookEndpoint.logDelivery"),
          // what runs the handlers (and the servlet behind the filter) inside the inbox's claim
          new Part(
              "handlers' dispatch, pass-down",
              "dev/stripewebhook/pipeline/WebhookEndpoint.runBehind"),
          new Part("inbox", "dev/stripewebhook/inbox/"),
          new Part("rest of the library", "dev/stripewebhook/"),
          new Part("stripe-java", "com/stripe/"),
          new Part("Jersey, hk2", "org/glassfish/"));

  /** The table's rows, in the order of docs/PERFORMANCE.md. */
  private static final List<String> ROWS =
      List.of(
          "HMAC",
          "envelope read",
          "signature header, comparison",
          "body read",
          "inbox",
          "delivery line",
          "handlers' dispatch, pass-down",
          "typed object",
          "rest of the library",
          "stripe-java",
          "Jersey, hk2",
          CONTAINER,
          OTHER_THREADS,
          TOTAL);

  private static final double MICROS_PER_SAMPLE = 1_000;

  private CpuSplit() {}

  public static void main(String... args) throws IOException {
    if (args.length == 0) {
      System.err.println("usage: CpuSplit label=file.collapsed:requests ...");
      System.exit(2);
    }
    Map<String, Map<String, Double>> columns = new LinkedHashMap<>();
    for (String arg : args) {
      int equals = arg.indexOf('=');
      int colon = arg.lastIndexOf(':');
      if (equals < 1 || colon < equals + 2) {
        throw new IllegalArgumentException("not label=file:requests: " + arg);
      }
      double requests = Double.parseDouble(arg.substring(colon + 1));
      try (Stream<String> lines = Files.lines(Path.of(arg.substring(equals + 1, colon)))) {
        columns.put(arg.substring(0, equals), split(lines, requests));
      }
    }
    System.out.print(table(columns));
  }

  /** Microseconds of CPU a request by part, in the order of the table, parts with none left out. */
  static Map<String, Double> split(Stream<String> collapsed, double requests) {
    Map<String, Long> samples = new LinkedHashMap<>();
    collapsed.forEach(
        line -> {
          int space = line.lastIndexOf(' ');
          String digits = line.substring(space + 1);
          if (space < 1 || !digits.matches("\\d{1,18}")) {
            throw new IllegalArgumentException("not a collapsed stack and its count: " + line);
          }
          long count = Long.parseLong(digits);
          samples.merge(part(line.substring(0, space).split(";")), count, Long::sum);
          samples.merge(TOTAL, count, Long::sum);
        });
    Map<String, Double> micros = new LinkedHashMap<>();
    for (String row : ROWS) {
      Long count = samples.get(row);
      if (count != null) {
        micros.put(row, count * MICROS_PER_SAMPLE / requests);
      }
    }
    return micros;
  }

  private static String part(String[] frames) {
    if (!onStack(frames, "org/eclipse/jetty/")) {
      return OTHER_THREADS; // a request runs on a thread of Jetty's pool
    }
    for (Part part : PARTS) {
      for (String frame : frames) {
        if (frame.startsWith(part.frame()) && !frame.startsWith("dev/stripewebhook/benchmarks/")) {
          return part.name();
        }
      }
    }
    return CONTAINER;
  }

  private static boolean onStack(String[] frames, String prefix) {
    for (String frame : frames) {
      if (frame.startsWith(prefix)) {
        return true;
      }
    }
    return false;
  }

  static String table(Map<String, Map<String, Double>> columns) {
    StringBuilder table = new StringBuilder("| µs of the server's CPU a request |");
    columns.keySet().forEach(label -> table.append(' ').append(label).append(" |"));
    table.append("\n|---|").append("---:|".repeat(columns.size())).append('\n');
    for (String row : ROWS) {
      table.append("| ").append(row).append(" |");
      for (Map<String, Double> column : columns.values()) {
        Double micros = column.get(row);
        table.append(micros == null ? " |" : String.format(Locale.ROOT, " %.1f |", micros));
      }
      table.append('\n');
    }
    return table.toString();
  }
}
