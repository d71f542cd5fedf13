// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.benchmarks.http;

import java.util.Arrays;

/** Request latencies in nanoseconds, kept whole and sorted for exact percentiles. */
final class Latencies {
  private long[] values = new long[1024];
  private int size;

  void add(long nanos) {
    if (size == values.length) {
      values = Arrays.copyOf(values, size * 2);
    }
    values[size++] = nanos;
  }

  int size() {
    return size;
  }

  /** All of {@code parts} in one sorted set. */
  static Latencies merge(Iterable<Latencies> parts) {
    Latencies all = new Latencies();
    for (Latencies part : parts) {
      for (int i = 0; i < part.size; i++) {
        all.add(part.values[i]);
      }
    }
    Arrays.sort(all.values, 0, all.size);
    return all;
  }

  /** The {@code p}-th percentile (0 < p <= 100) of a merged set, in microseconds. */
  double percentileMicros(double p) {
    if (size == 0) {
      return Double.NaN;
    }
    int rank = (int) Math.ceil(p / 100 * size) - 1;
    return values[Math.max(0, Math.min(size - 1, rank))] / 1_000.0;
  }
}
