// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** The options of every command, read one way: {@code --name value} and bare {@code --flag}s. */
final class CommandLine {
  private CommandLine() {}

  /** A bad command line; its message is the one line shown above the usage. */
  static final class UsageException extends Exception {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
      super(message);
    }
  }

  /**
   * The options in {@code args} by name (a flag's value is {@code "true"}).
   *
   * @throws UsageException for an argument that is not an option, an unknown option, or an option
   *     without its value
   */
  static Map<String, String> parse(String[] args, Set<String> options, Set<String> flags)
      throws UsageException {
    Map<String, String> parsed = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      String name = args[i].startsWith("--") ? args[i].substring(2) : null;
      if (name != null && flags.contains(name)) {
        parsed.put(name, "true");
      } else if (name != null && options.contains(name)) {
        if (i + 1 == args.length) {
          throw new UsageException(args[i] + " needs a value");
        }
        parsed.put(name, args[++i]);
      } else {
        throw new UsageException(
            name == null ? "unexpected argument " + args[i] : "unknown option " + args[i]);
      }
    }
    return parsed;
  }
}
