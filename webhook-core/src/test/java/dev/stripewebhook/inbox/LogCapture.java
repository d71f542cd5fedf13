// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.inbox;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/** The warnings a class logs while this is open, formatted. */
final class LogCapture implements AutoCloseable {
  private final Logger logger; // held: java.util.logging keeps loggers only weakly
  private final List<String> warnings = new CopyOnWriteArrayList<>();
  private final Handler handler = new Handler() {
    @Override
    public void publish(LogRecord record) {
      if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
        warnings.add(new SimpleFormatter().formatMessage(record));
      }
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  };

  LogCapture(Class<?> type) {
    logger = Logger.getLogger(type.getName());
    logger.addHandler(handler);
  }

  /** The warnings and errors logged so far. */
  List<String> warnings() {
    return List.copyOf(warnings);
  }

  @Override
  public void close() {
    logger.removeHandler(handler);
  }
}
