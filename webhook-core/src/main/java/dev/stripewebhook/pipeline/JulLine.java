// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.pipeline;

import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Writes INFO lines straight to the {@code java.util.logging} logger behind a {@link System.Logger}
 * that the JDK's default {@link System.LoggerFinder} backs with it, with the source class and
 * method given: a line logged through {@code System.Logger} carries none, so JUL's {@code
 * SimpleFormatter} (which prints the source) makes the record walk the stack to infer the caller,
 * on every line. The source given is the one that walk finds, so the output is unchanged.
 *
 * <p>An application that installs its own {@code LoggerFinder} (SLF4J, Log4j) keeps its routing:
 * {@link #of} gives null and the line goes through its {@code System.Logger}.
 *
 * <p>Not API: may change in any release.
 */
final class JulLine {
  /** The JDK's JUL-backed finder wraps each JUL logger in a nested class of this one. */
  private static final String JUL_BACKED = "sun.util.logging.internal.LoggingProviderImpl$";

  private final Logger logger;
  private final String sourceClass;
  private final String sourceMethod;

  private JulLine(Logger logger, String sourceClass, String sourceMethod) {
    this.logger = logger;
    this.sourceClass = sourceClass;
    this.sourceMethod = sourceMethod;
  }

  /**
   * The JUL logger behind {@code platform} (named {@code name}), writing lines from {@code
   * sourceClass}'s {@code sourceMethod}; null when {@code platform} is not the JDK's JUL bridge.
   * Call it where {@code platform} was obtained, on the same thread: a container's class-loader
   * aware JUL {@code LogManager} then gives the same logger.
   */
  static JulLine of(
      System.Logger platform, String name, Class<?> sourceClass, String sourceMethod) {
    if (!platform.getClass().getName().startsWith(JUL_BACKED)) {
      return null;
    }
    return new JulLine(Logger.getLogger(name), sourceClass.getName(), sourceMethod);
  }

  /** Whether an INFO line would be published. */
  boolean isLoggable() {
    return logger.isLoggable(Level.INFO);
  }

  /** Logs {@code line} at INFO, with the source set: no caller inference. */
  void info(String line) {
    logger.logp(Level.INFO, sourceClass, sourceMethod, line);
  }
}
