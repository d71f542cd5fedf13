// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.benchmarks.http;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How busy the machine is: the load average, and the CPU that processes other than this JVM used
 * during a turn. The load average alone cannot judge a turn: it counts this benchmark's own threads
 * (client and server share the machine), and its 1-minute figure lags by a minute.
 */
final class MachineLoad {
  private static final Path LOADAVG = Path.of("/proc/loadavg");
  private static final Path STAT = Path.of("/proc/stat");
  // USER_HZ: the unit of /proc/stat, 100 on every Linux architecture the JDK runs on
  private static final double TICKS_PER_SECOND = 100;

  private MachineLoad() {}

  /** {@code /proc/loadavg} as it reads ("0.42 0.61 0.80 2/180 4242"), or "unknown". */
  static String loadAverage() {
    try {
      return Files.readString(LOADAVG).trim();
    } catch (IOException e) {
      return "unknown";
    }
  }

  /** The 1-minute load average; NaN where {@code /proc/loadavg} cannot be read. */
  static double oneMinute(String loadAverage) {
    try {
      return Double.parseDouble(loadAverage.split(" ")[0]);
    } catch (NumberFormatException e) {
      return Double.NaN;
    }
  }

  /** The machine's busy CPU time and this JVM's CPU time, now. */
  record Sample(long wallNanos, double busySeconds, double ownSeconds) {
    /** The cores other processes kept busy, on average, from {@code before} to this sample. */
    double othersCoresSince(Sample before) {
      double wall = (wallNanos - before.wallNanos) / 1e9;
      if (wall <= 0 || Double.isNaN(busySeconds) || Double.isNaN(before.busySeconds)) {
        return Double.NaN;
      }
      double others = (busySeconds - before.busySeconds) - (ownSeconds - before.ownSeconds);
      return Math.max(0, others / wall);
    }
  }

  /**
   * A sample for {@link Sample#othersCoresSince}; {@code helperSeconds} is the CPU time of this
   * benchmark's other processes (the load generator's JVM, the embedded PostgreSQL server), which
   * are not "others" either.
   */
  static Sample sample(double helperSeconds) {
    double own =
        ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime()
            / 1e9;
    return new Sample(System.nanoTime(), busySeconds(), own + helperSeconds);
  }

  // the "cpu" line: user nice system idle iowait irq softirq steal ...; busy = all but idle, iowait
  private static double busySeconds() {
    try {
      String line = Files.readAllLines(STAT).get(0);
      String[] fields = line.trim().split("\\s+");
      long busy = 0;
      for (int i = 1; i < fields.length && i <= 8; i++) {
        if (i != 4 && i != 5) {
          busy += Long.parseLong(fields[i]);
        }
      }
      return busy / TICKS_PER_SECOND;
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
  }
}
