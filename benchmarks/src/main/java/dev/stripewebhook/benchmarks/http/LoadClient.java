// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.benchmarks.http;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Where the load generator runs: in a JVM of its own (the default, as a sender is a separate
 * process from the receiver: its JIT, GC and allocation stay out of the server's JVM), or in the
 * benchmark's JVM (the smoke test's choice: no process to start). The JVM of its own is this
 * class's {@link #main}, driven over its stdin and stdout, one line per turn.
 */
public final class LoadClient implements AutoCloseable {
  private final LoadGenerator inProcess;
  private final Map<Integer, EventTemplate> templates = new HashMap<>();
  private final Process process;
  private final PrintWriter commands;
  private final BufferedReader answers;

  /** What one turn of the load measured. */
  record Outcome(
      long inWindow,
      long completed,
      long accepted,
      long failed,
      double seconds,
      double p50,
      double p99) {
    double perSecond() {
      return inWindow / seconds;
    }

    static Outcome of(LoadGenerator.Run run) {
      return new Outcome(
          run.inWindow(),
          run.completed(),
          run.accepted(),
          run.failed(),
          run.seconds(),
          run.latencies().percentileMicros(50),
          run.latencies().percentileMicros(99));
    }
  }

  private LoadClient(LoadGenerator inProcess, Process process) {
    this.inProcess = inProcess;
    this.process = process;
    this.commands =
        process == null
            ? null
            : new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
    this.answers =
        process == null
            ? null
            : new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
  }

  /** A load generator with {@code users} connections in this JVM. */
  static LoadClient inThisJvm(int users) throws Exception {
    return new LoadClient(
        new LoadGenerator(
            users, BenchServer.SECRET, new AtomicLong(System.currentTimeMillis() * 1_000_000L)),
        null);
  }

  /** A load generator with {@code users} connections in a new JVM on this JVM's class path. */
  static LoadClient inItsOwnJvm(int users) throws IOException {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process process =
        new ProcessBuilder(
                List.of(
                    java.toString(),
                    "-cp",
                    System.getProperty("java.class.path"),
                    LoadClient.class.getName(),
                    Integer.toString(users)))
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    LoadClient client = new LoadClient(null, process);
    String ready = client.answers.readLine();
    if (!"ready".equals(ready)) {
      process.destroy();
      throw new IOException("the load generator's JVM did not start: " + ready);
    }
    return client;
  }

  /** Runs the load against {@code uri} with bodies of {@code kib} KiB for {@code duration}. */
  Outcome run(URI uri, int kib, Duration duration) throws Exception {
    if (process == null) {
      EventTemplate template =
          templates.computeIfAbsent(kib, k -> EventTemplate.paymentIntentSucceeded(k * 1024));
      return Outcome.of(inProcess.run(uri, template, inProcess.users(), duration));
    }
    commands.println("run " + uri + " " + kib + " " + duration.toNanos());
    String answer = answers.readLine();
    if (answer == null || !answer.startsWith("done ")) {
      throw new IOException("the load generator's JVM answered " + answer);
    }
    String[] f = answer.split(" ");
    return new Outcome(
        Long.parseLong(f[1]),
        Long.parseLong(f[2]),
        Long.parseLong(f[3]),
        Long.parseLong(f[4]),
        Double.parseDouble(f[5]),
        Double.parseDouble(f[6]),
        Double.parseDouble(f[7]));
  }

  /** The CPU seconds the generator's own JVM has used; 0 when it runs in this one. */
  double processCpuSeconds() {
    if (process == null) {
      return 0;
    }
    return process.info().totalCpuDuration().map(d -> d.toNanos() / 1e9).orElse(0.0);
  }

  @Override
  public void close() throws Exception {
    if (process == null) {
      inProcess.close();
      return;
    }
    commands.println("quit");
    if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
      process.destroy();
    }
  }

  /** The generator's own JVM: {@code users} on the command line, then "run" lines on stdin. */
  public static void main(String[] args) throws Exception {
    PrintStream out = System.out;
    System.setOut(System.err); // stdout carries the answers only
    int users = Integer.parseInt(args[0]);
    try (LoadClient client = inThisJvm(users);
        BufferedReader in =
            new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
      out.println("ready");
      out.flush();
      for (String line = in.readLine(); line != null && !line.equals("quit"); ) {
        String[] f = line.split(" ");
        Outcome o =
            client.run(
                URI.create(f[1]), Integer.parseInt(f[2]), Duration.ofNanos(Long.parseLong(f[3])));
        out.printf(
            Locale.ROOT,
            "done %d %d %d %d %s %s %s%n",
            o.inWindow(),
            o.completed(),
            o.accepted(),
            o.failed(),
            Double.toString(o.seconds()),
            Double.toString(o.p50()),
            Double.toString(o.p99()));
        out.flush();
        line = in.readLine();
      }
    }
    System.exit(0);
  }
}
