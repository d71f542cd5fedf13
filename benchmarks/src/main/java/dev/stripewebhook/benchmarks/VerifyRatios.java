// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.benchmarks;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * The rows of {@link VerifyBenchmark} the targets are set on, run in one JMH run with {@code -prof
 * gc}, then their ratios to stripe-java's {@code constructEvent} + {@code getObject()} from that
 * same run: verify + typed object (target at most 0.6×) and verify + envelope (at most 0.1×), at 3
 * KB, compact and pretty-printed. JMH options given on the command line apply ({@code -f}, {@code
 * -wi}, {@code -i}, {@code -p size=...}...).
 *
 * <pre>{@code
 * java -cp benchmarks/target/benchmarks.jar dev.stripewebhook.benchmarks.VerifyRatios -f 1 -wi 3 -i 5
 * }</pre>
 */
public final class VerifyRatios {
  static final String BASELINE = "stripeJavaConstructEvent";

  /** The rows measured, with the most each may cost against the baseline (0: none set). */
  static final Map<String, Double> TARGETS =
      Map.of(BASELINE, 0.0, "oursVerifyAndDataObject", 0.6, "oursVerifyEnvelope", 0.1);

  private VerifyRatios() {}

  /** Runs the rows and prints the ratios. */
  public static void main(String[] args) throws Exception {
    CommandLineOptions given = new CommandLineOptions(args);
    OptionsBuilder builder = new OptionsBuilder();
    builder.parent(given);
    builder.include(
        VerifyBenchmark.class.getName() + "\\.(" + String.join("|", TARGETS.keySet()) + ")$");
    if (!given.getParameter("size").hasValue()) {
      builder.param("size", "3k");
    }
    builder.mode(Mode.Throughput).timeUnit(TimeUnit.SECONDS).addProfiler(GCProfiler.class);
    Options options = builder.build();
    Collection<RunResult> results = new Runner(options).run();
    System.out.println();
    System.out.println(table(rows(results)));
  }

  /** One measured row: its parameters, ops/s and bytes allocated per operation. */
  record Row(
      String size, String layout, String benchmark, double opsPerSecond, double bytesPerOp) {}

  static List<Row> rows(Collection<RunResult> results) {
    List<Row> rows = new ArrayList<>();
    for (RunResult result : results) {
      var params = result.getParams();
      String label = params.getBenchmark();
      String benchmark = label.substring(label.lastIndexOf('.') + 1);
      Result<?> allocation = result.getSecondaryResults().get("gc.alloc.rate.norm");
      rows.add(
          new Row(
              params.getParam("size"),
              params.getParam("layout"),
              benchmark,
              result.getPrimaryResult().getScore(),
              allocation == null ? Double.NaN : allocation.getScore()));
    }
    return rows;
  }

  /**
   * A Markdown table: each row's time per operation and allocation, and both as a ratio to the
   * baseline of its size and layout (cost ratio = baseline ops/s ÷ the row's ops/s).
   */
  static String table(List<Row> rows) {
    Map<String, Row> baselines = new TreeMap<>();
    for (Row row : rows) {
      if (row.benchmark.equals(BASELINE)) {
        baselines.put(row.size + "/" + row.layout, row);
      }
    }
    StringBuilder out = new StringBuilder();
    out.append("| size | layout | benchmark | µs/op | B/op | time × constructEvent | target |")
        .append(" B/op × constructEvent |\n")
        .append("|---|---|---|---:|---:|---:|---|---:|\n");
    for (Row row : rows) {
      Row base = baselines.get(row.size + "/" + row.layout);
      double target = TARGETS.getOrDefault(row.benchmark, 0.0);
      String ratio = "";
      String verdict = "";
      String allocation = "";
      if (base != null) {
        double cost = base.opsPerSecond / row.opsPerSecond;
        ratio = String.format(Locale.ROOT, "%.2f", cost);
        allocation = String.format(Locale.ROOT, "%.2f", row.bytesPerOp / base.bytesPerOp);
        if (target > 0) {
          verdict =
              String.format(Locale.ROOT, "≤ %.1f: %s", target, cost <= target ? "met" : "MISSED");
        }
      }
      out.append(
          String.format(
              Locale.ROOT,
              "| %s | %s | %s | %.1f | %,.0f | %s | %s | %s |%n",
              row.size,
              row.layout,
              row.benchmark,
              1e6 / row.opsPerSecond,
              row.bytesPerOp,
              ratio,
              verdict,
              allocation));
    }
    return out.toString();
  }
}
