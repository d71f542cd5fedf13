// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.benchmarks;

import java.io.OutputStream;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import java.util.logging.StreamHandler;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One delivery line, three ways into the same JUL logger and {@code SimpleFormatter} (writing into
 * nothing): through {@link System.Logger} (the record has no source, so the formatter makes it walk
 * the stack), through {@code Logger.logp} with the source given, and as a {@link LogRecord} built
 * with the source set.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(2)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 5, time = 1)
public class DeliveryLogBenchmark {
  private static final String NAME = "dev.stripewebhook.benchmarks.deliverylog";
  private static final String LINE =
      "evt_test_0123456789abcdef0123456789abcdef payment_intent.succeeded: 200 done in 0 ms"
          + " from 127.0.0.1";

  private Logger jul;
  private System.Logger platform;

  @Setup
  public void setUp() {
    jul = Logger.getLogger(NAME);
    jul.setUseParentHandlers(false);
    jul.addHandler(new StreamHandler(OutputStream.nullOutputStream(), new SimpleFormatter()));
    jul.setLevel(Level.INFO);
    platform = System.getLogger(NAME);
  }

  @Benchmark
  public void systemLogger() {
    platform.log(System.Logger.Level.INFO, LINE);
  }

  @Benchmark
  public void logp() {
    jul.logp(Level.INFO, "dev.stripewebhook.pipeline.WebhookEndpoint", "record", LINE);
  }

  @Benchmark
  public void logRecord() {
    LogRecord record = new LogRecord(Level.INFO, LINE);
    record.setSourceClassName("dev.stripewebhook.pipeline.WebhookEndpoint");
    record.setSourceMethodName("record");
    record.setLoggerName(NAME);
    jul.log(record);
  }
}
