// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * What a {@code java.util.logging} logger and the loggers under it publish while this is open, at
 * every level the logger lets through; close it to stop. The tests of every module share it through
 * the core test-jar.
 *
 * <pre>{@code
 * try (LogCapture log = LogCapture.of(LeaseKeeper.class)) {
 *   ...
 *   assertThat(log.warnings()).singleElement().asString().startsWith("Cannot renew");
 * }
 * }</pre>
 */
public final class LogCapture implements AutoCloseable {
  private final Logger logger; // held: java.util.logging keeps loggers only weakly
  private final List<Line> lines = new CopyOnWriteArrayList<>();
  private final Handler handler =
      new Handler() {
        @Override
        public void publish(LogRecord record) {
          // Formatted now: a parameter may change after the call that logged it.
          lines.add(new Line(record, new SimpleFormatter().formatMessage(record)));
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };

  private record Line(LogRecord record, String message) {}

  private LogCapture(String name) {
    logger = Logger.getLogger(name);
    handler.setLevel(Level.ALL);
    logger.addHandler(handler);
  }

  /** Starts capturing what the logger {@code name} and the loggers under it publish. */
  public static LogCapture of(String name) {
    return new LogCapture(name);
  }

  /** Starts capturing what the logger named after {@code type} publishes. */
  public static LogCapture of(Class<?> type) {
    return of(type.getName());
  }

  /** The records so far, oldest first. */
  public List<LogRecord> records() {
    return lines.stream().map(Line::record).toList();
  }

  /** The messages so far, formatted with their parameters, oldest first. */
  public List<String> messages() {
    return lines.stream().map(Line::message).toList();
  }

  /** The messages of level WARNING and above so far, formatted, oldest first. */
  public List<String> warnings() {
    return lines.stream()
        .filter(line -> line.record().getLevel().intValue() >= Level.WARNING.intValue())
        .map(Line::message)
        .toList();
  }

  /** The records so far as {@code LEVEL logger message}, oldest first. */
  public List<String> lines() {
    return lines.stream()
        .map(
            line ->
                line.record().getLevel()
                    + " "
                    + line.record().getLoggerName()
                    + " "
                    + line.message())
        .toList();
  }

  /**
   * Waits until a message matching {@code message} is published, for at most {@code timeout}; for
   * lines another thread writes once the answer is out. Returns whether one was.
   */
  public boolean await(Predicate<String> message, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (messages().stream().noneMatch(message)) {
      if (System.nanoTime() - deadline > 0) {
        return false;
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
    }
    return true;
  }

  @Override
  public void close() {
    logger.removeHandler(handler);
  }
}
