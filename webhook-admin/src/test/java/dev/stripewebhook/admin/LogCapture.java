// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.admin;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * The lines a logger and its children publish while open, as {@code LEVEL logger message}; close
 * it to stop. The logger is held here so that it outlives the test's other references.
 */
final class LogCapture implements AutoCloseable {
  private final Logger logger;
  private final List<String> lines = new CopyOnWriteArrayList<>();
  private final Handler handler = new Handler() {
    @Override
    public void publish(LogRecord record) {
      lines.add(record.getLevel() + " " + record.getLoggerName() + " "
          + new SimpleFormatter().formatMessage(record));
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  };

  private LogCapture(String name) {
    logger = Logger.getLogger(name);
    logger.addHandler(handler);
  }

  /** Starts capturing what {@code name} and the loggers under it publish. */
  static LogCapture of(String name) {
    return new LogCapture(name);
  }

  /** The lines so far, oldest first. */
  List<String> lines() {
    return List.copyOf(lines);
  }

  @Override
  public void close() {
    logger.removeHandler(handler);
  }
}
