// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.benchmarks.http;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The HTTP load benchmark: every set-up on one server, measured in turns (A B C ..., A B C ...) so
 * that machine drift hits all alike; prints the medians over the rounds as a Markdown table.
 *
 * <pre>{@code
 * java -cp benchmarks/target/benchmarks.jar dev.stripewebhook.benchmarks.http.LoadBenchmark \
 *     --seconds 8 --warmup 4 --rounds 3 --concurrency 16 --sizes 6,1,3,16,64 [--workers 2] \
 *     [--max-load 1.0] [--max-others 0.25] [--allow-busy false] [--client own-jvm|same-jvm]
 * }</pre>
 *
 * <p>It refuses to start when the 1-minute load average is above {@code --max-load}, and marks its
 * tables NOT QUIET when other processes used more than {@code --max-others} cores during a turn;
 * {@code --allow-busy true} runs anyway (smoke runs), still marked.
 */
public final class LoadBenchmark {
  private static final List<SetUp> SIZED =
      List.of(
          SetUp.BARE,
          SetUp.HAND_WRITTEN,
          SetUp.FILTER,
          SetUp.FILTER_QUIET,
          SetUp.SYNC_FULL,
          SetUp.JAXRS_TYPED,
          SetUp.JAXRS_BARE);
  private static final Duration DRAIN_LIMIT = Duration.ofMinutes(5);

  /** The settings of a run; sizes in KiB, the first one is the headline size. */
  record Options(
      Duration seconds,
      Duration warmup,
      int rounds,
      int concurrency,
      List<Integer> sizes,
      List<SetUp> setUps,
      Path dataDirectory,
      boolean synchronousCommit,
      int workers,
      double maxLoad,
      double maxOthers,
      boolean allowBusy,
      boolean clientInItsOwnJvm) {
    /** Options for a short run on any machine: the smoke test's. */
    static Options smoke(
        Duration seconds, Duration warmup, int concurrency, List<SetUp> setUps, Path data) {
      return new Options(
          seconds,
          warmup,
          1,
          concurrency,
          List.of(3),
          setUps,
          data,
          true,
          3,
          1.0,
          0.25,
          true,
          true);
    }

    static Options parse(String... args) {
      Map<String, String> given = new LinkedHashMap<>();
      for (int i = 0; i + 1 < args.length; i += 2) {
        if (!args[i].startsWith("--")) {
          throw new IllegalArgumentException("expected --name value, got " + args[i]);
        }
        given.put(args[i].substring(2), args[i + 1]);
      }
      List<Integer> sizes =
          Arrays.stream(given.getOrDefault("sizes", "6,1,3,16,64").split(","))
              .map(Integer::valueOf)
              .toList();
      List<SetUp> setUps =
          given.containsKey("setups")
              ? Arrays.stream(given.get("setups").split(",")).map(SetUp::of).toList()
              : List.of(SetUp.values());
      return new Options(
          duration(given.getOrDefault("seconds", "10")),
          duration(given.getOrDefault("warmup", "5")),
          Integer.parseInt(given.getOrDefault("rounds", "3")),
          Integer.parseInt(given.getOrDefault("concurrency", "16")),
          sizes,
          setUps,
          Path.of(given.getOrDefault("data", "target/loadbench-data")),
          switch (given.getOrDefault("pg-synchronous-commit", "on")) {
            case "on" -> true;
            case "off" -> false;
            default -> throw new IllegalArgumentException("--pg-synchronous-commit on|off");
          },
          Integer.parseInt(given.getOrDefault("workers", "2")),
          Double.parseDouble(given.getOrDefault("max-load", "1.0")),
          Double.parseDouble(given.getOrDefault("max-others", "0.25")),
          Boolean.parseBoolean(given.getOrDefault("allow-busy", "false")),
          switch (given.getOrDefault("client", "own-jvm")) {
            case "own-jvm" -> true;
            case "same-jvm" -> false;
            default -> throw new IllegalArgumentException("--client own-jvm|same-jvm");
          });
    }
  }

  private static Duration duration(String seconds) {
    return Duration.ofMillis((long) (Double.parseDouble(seconds) * 1000));
  }

  /** One set-up at one body size. */
  record Cell(SetUp setUp, int kib) {}

  /**
   * One turn of a cell. {@code perSecond} counts the answers (for async set-ups, the
   * acknowledgements); {@code handledPerSecond} the events the handler ran for, from the start of
   * the turn until the workers had handled every acknowledged event (0 without a handler); {@code
   * loadAverage} is {@code /proc/loadavg} before the turn, {@code othersCores} the cores that other
   * processes kept busy during it.
   */
  record Turn(
      double perSecond,
      double p50,
      double p99,
      double bytesPerRequest,
      long failed,
      long completed,
      double drainSeconds,
      double handledPerSecond,
      String loadAverage,
      double othersCores) {}

  /** A cell's turns, and their medians. */
  record CellResult(Cell cell, int bodyBytes, List<Turn> turns) {
    double median(ToDoubleFunction<Turn> value) {
      double[] values = turns.stream().mapToDouble(value).sorted().toArray();
      int n = values.length;
      return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
    }

    long failed() {
      return turns.stream().mapToLong(Turn::failed).sum();
    }
  }

  private LoadBenchmark() {}

  public static void main(String[] args) throws Exception {
    Options options = Options.parse(args);
    String startLoad = MachineLoad.loadAverage();
    System.out.printf(
        "%s, %d cores, Java %s (%s), stripe-java %s (API version %s), load average %s%n",
        Instant.now(),
        Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.version"),
        System.getProperty("java.vm.name"),
        com.stripe.Stripe.VERSION,
        com.stripe.Stripe.API_VERSION,
        startLoad);
    System.out.println("options: " + options);
    double startOneMinute = MachineLoad.oneMinute(startLoad);
    if (!(startOneMinute <= options.maxLoad()) && !options.allowBusy()) {
      System.out.printf(
          Locale.ROOT,
          "NOT QUIET: 1-minute load average %s is above --max-load %.2f: refusing to measure."
              + " Wait until the machine is quiet, or pass --allow-busy true for a smoke run.%n",
          startLoad.split(" ")[0],
          options.maxLoad());
      System.exit(2);
    }
    List<CellResult> results = run(options);
    System.out.println("load average at the end: " + MachineLoad.loadAverage());
    System.out.println();
    System.out.println(quietness(options, startLoad, results));
    System.out.println();
    System.out.println(table(results));
    System.out.println(sameRoundRatios(results));
    try (BenchServer server =
        new BenchServer(
            options.dataDirectory().resolve("probe"), List.of(SetUp.FILTER), false, 2)) {
      OversizeProbe.Outcome probe = OversizeProbe.send(server.port(), SetUp.FILTER.path());
      System.out.printf(
          "Oversize probe: Content-Length %,d with a 1 MiB limit -> %d; server"
              + " threads allocated %,d bytes meanwhile%n",
          OversizeProbe.DECLARED, probe.status(), probe.serverBytes());
    }
    System.exit(0);
  }

  /** Runs the cells of {@code options} in turns and returns their results. */
  static List<CellResult> run(Options options) throws Exception {
    List<Cell> cells = new ArrayList<>();
    for (int kib : options.sizes()) {
      for (SetUp setUp : options.setUps()) {
        if (kib == options.sizes().get(0) || SIZED.contains(setUp)) {
          cells.add(new Cell(setUp, kib));
        }
      }
    }
    Map<Integer, EventTemplate> templates = new LinkedHashMap<>();
    options
        .sizes()
        .forEach(kib -> templates.put(kib, EventTemplate.paymentIntentSucceeded(kib * 1024)));
    Map<Cell, List<Turn>> turns = new LinkedHashMap<>();
    Map<SetUp, Long> accepted = new EnumMap<>(SetUp.class);
    try (BenchServer server =
            new BenchServer(
                options.dataDirectory(),
                options.setUps(),
                options.synchronousCommit(),
                options.workers());
        LoadClient load =
            options.clientInItsOwnJvm()
                ? LoadClient.inItsOwnJvm(options.concurrency())
                : LoadClient.inThisJvm(options.concurrency())) {
      for (Cell cell : cells) {
        if (!options.warmup().isZero()) {
          BenchServer.deliveryLog(cell.setUp() != SetUp.FILTER_QUIET);
          LoadClient.Outcome run = load.run(server.uri(cell.setUp()), cell.kib(), options.warmup());
          accepted.merge(cell.setUp(), run.accepted(), Long::sum);
          drain(server, cell.setUp(), accepted);
        }
        turns.put(cell, new ArrayList<>());
      }
      for (int round = 1; round <= options.rounds(); round++) {
        Map<Integer, Double> bareOfRound = new LinkedHashMap<>();
        for (Cell cell : cells) {
          BenchServer.deliveryLog(cell.setUp() != SetUp.FILTER_QUIET);
          String loadBefore = MachineLoad.loadAverage();
          MachineLoad.Sample cpuBefore =
              MachineLoad.sample(load.processCpuSeconds() + server.databaseCpuSeconds());
          long allocatedBefore = Allocations.serverSide();
          long handledBefore = server.handled(cell.setUp());
          long start = System.nanoTime();
          LoadClient.Outcome run =
              load.run(server.uri(cell.setUp()), cell.kib(), options.seconds());
          double othersCores =
              MachineLoad.sample(load.processCpuSeconds() + server.databaseCpuSeconds())
                  .othersCoresSince(cpuBefore);
          accepted.merge(cell.setUp(), run.accepted(), Long::sum);
          double drained = drain(server, cell.setUp(), accepted);
          double handledPerSecond =
              (server.handled(cell.setUp()) - handledBefore) / ((System.nanoTime() - start) / 1e9);
          long allocated = Allocations.serverSide() - allocatedBefore;
          Turn turn =
              new Turn(
                  run.perSecond(),
                  run.p50(),
                  run.p99(),
                  run.completed() == 0 ? 0 : (double) allocated / run.completed(),
                  run.failed(),
                  run.completed(),
                  drained,
                  handledPerSecond,
                  loadBefore,
                  othersCores);
          turns.get(cell).add(turn);
          if (cell.setUp() == SetUp.BARE) {
            bareOfRound.put(cell.kib(), turn.perSecond());
          }
          Double bare = bareOfRound.get(cell.kib());
          System.out.printf(
              Locale.ROOT,
              "round %d %-14s %3d KiB %9.0f req/s %s p50 %7.0f us"
                  + " p99 %7.0f us %,10.0f B/req failed %d drain %.1f s handled %.0f/s"
                  + " | load %s | others %.2f cores%s%n",
              round,
              cell.setUp().label(),
              cell.kib(),
              turn.perSecond(),
              bare == null
                  ? "       "
                  : String.format(Locale.ROOT, "%5.2fxB", turn.perSecond() / bare),
              turn.p50(),
              turn.p99(),
              turn.bytesPerRequest(),
              turn.failed(),
              turn.drainSeconds(),
              turn.handledPerSecond(),
              loadBefore,
              othersCores,
              othersCores > options.maxOthers() ? " NOT QUIET" : "");
        }
      }
    }
    List<CellResult> results = new ArrayList<>();
    turns.forEach(
        (cell, list) -> results.add(new CellResult(cell, templates.get(cell.kib()).size(), list)));
    return results;
  }

  /**
   * Async: waits until the workers have handled every accepted event; returns the wait, or infinity
   * when they have not after {@link #DRAIN_LIMIT} (the run goes on; the backlog stays).
   */
  private static double drain(BenchServer server, SetUp setUp, Map<SetUp, Long> accepted)
      throws InterruptedException {
    if (!setUp.async()) {
      return 0;
    }
    long start = System.nanoTime();
    long deadline = start + DRAIN_LIMIT.toNanos();
    while (server.handled(setUp) < accepted.get(setUp)) {
      if (System.nanoTime() > deadline) {
        System.err.printf(
            "%s: %d of %d accepted events handled after %s; going on%n",
            setUp.label(), server.handled(setUp), accepted.get(setUp), DRAIN_LIMIT);
        return Double.POSITIVE_INFINITY;
      }
      Thread.sleep(5);
    }
    return (System.nanoTime() - start) / 1e9;
  }

  /**
   * The medians as a Markdown table, with the ratios of the medians against bare, hand-written and
   * filter (the filter without handler, in-memory inbox) at the same size.
   */
  static String table(List<CellResult> results) {
    StringBuilder out =
        new StringBuilder(
            "| set-up | body | req/s | handled/s | p50 µs | p99 µs"
                + " | bytes/req | × bare | × hand-written | × filter | async drain s |\n"
                + "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (CellResult result : results) {
      double perSecond = result.median(Turn::perSecond);
      SetUp setUp = result.cell().setUp();
      out.append(
          String.format(
              Locale.ROOT,
              "| %s | %,d B | %,.0f | %s | %,.0f | %,.0f | %,.0f | %s | %s | %s | %s |%n",
              setUp.label(),
              result.bodyBytes(),
              perSecond,
              setUp.handles()
                  ? String.format(Locale.ROOT, "%,.0f", result.median(Turn::handledPerSecond))
                  : "",
              result.median(Turn::p50),
              result.median(Turn::p99),
              result.median(Turn::bytesPerRequest),
              ratio(perSecond, results, result.cell().kib(), SetUp.BARE),
              ratio(perSecond, results, result.cell().kib(), SetUp.HAND_WRITTEN),
              ratio(perSecond, results, result.cell().kib(), SetUp.FILTER),
              setUp.async()
                  ? String.format(Locale.ROOT, "%.1f", result.median(Turn::drainSeconds))
                  : ""));
    }
    return out.toString();
  }

  /**
   * QUIET when the 1-minute load average was at most {@code --max-load} at the start and other
   * processes used at most {@code --max-others} cores in every turn; otherwise NOT QUIET, with why.
   */
  static String quietness(Options options, String startLoad, List<CellResult> results) {
    double start = MachineLoad.oneMinute(startLoad);
    long turns = 0;
    long busy = 0;
    double most = 0;
    for (CellResult result : results) {
      for (Turn turn : result.turns()) {
        turns++;
        most = Math.max(most, turn.othersCores());
        if (!(turn.othersCores() <= options.maxOthers())) {
          busy++;
        }
      }
    }
    boolean quiet = start <= options.maxLoad() && busy == 0;
    return String.format(
        Locale.ROOT,
        "%s: 1-minute load average %s at the start (--max-load %.2f); other processes used up to"
            + " %.2f cores in a turn, above --max-others %.2f in %d of %d turns.%s",
        quiet ? "QUIET" : "**NOT QUIET**",
        startLoad.split(" ")[0],
        options.maxLoad(),
        most,
        options.maxOthers(),
        busy,
        turns,
        quiet ? "" : " Do not quote these figures as measurements.");
  }

  /**
   * Same-round ratios: each turn against the turn of bare, of hand-written (for the set-ups that
   * bind the typed object) and of filter (same size) in its own round, which cancels more of the
   * machine's drift than the ratio of medians; the median over the rounds, then the rounds' values.
   * "handled" divides handled/s by bare's req/s.
   */
  static String sameRoundRatios(List<CellResult> results) {
    StringBuilder out =
        new StringBuilder(
            "| set-up | body KiB | req/s × bare | req/s × hand-written | req/s × filter"
                + " | handled/s × bare |\n|---|---:|---|---|---|---|\n");
    for (CellResult result : results) {
      SetUp setUp = result.cell().setUp();
      if (setUp == SetUp.BARE) {
        continue;
      }
      int kib = result.cell().kib();
      out.append(
          String.format(
              Locale.ROOT,
              "| %s | %d | %s | %s | %s | %s |%n",
              setUp.label(),
              kib,
              perRound(result, results, SetUp.BARE, Turn::perSecond),
              setUp.typed() && setUp != SetUp.HAND_WRITTEN
                  ? perRound(result, results, SetUp.HAND_WRITTEN, Turn::perSecond)
                  : "",
              setUp == SetUp.FILTER ? "" : perRound(result, results, SetUp.FILTER, Turn::perSecond),
              setUp.handles()
                  ? perRound(result, results, SetUp.BARE, Turn::handledPerSecond)
                  : ""));
    }
    return out.toString();
  }

  private static String perRound(
      CellResult result, List<CellResult> results, SetUp base, ToDoubleFunction<Turn> value) {
    for (CellResult other : results) {
      if (other.cell().setUp() == base && other.cell().kib() == result.cell().kib()) {
        int n = Math.min(result.turns().size(), other.turns().size());
        double[] ratios = new double[n];
        for (int i = 0; i < n; i++) {
          ratios[i] = value.applyAsDouble(result.turns().get(i)) / other.turns().get(i).perSecond();
        }
        StringBuilder text =
            new StringBuilder(String.format(Locale.ROOT, "**%.2f** (", median(ratios)));
        for (int i = 0; i < n; i++) {
          text.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.2f", ratios[i]));
        }
        return text.append(')').toString();
      }
    }
    return "";
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    return n == 0
        ? Double.NaN
        : n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  private static String ratio(double perSecond, List<CellResult> results, int kib, SetUp base) {
    for (CellResult result : results) {
      if (result.cell().setUp() == base && result.cell().kib() == kib) {
        return String.format(Locale.ROOT, "%.2f", perSecond / result.median(Turn::perSecond));
      }
    }
    return "";
  }
}
