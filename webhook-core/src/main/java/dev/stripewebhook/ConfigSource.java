// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * One place configuration is read from, such as a filter's init-params or the environment: a value
 * by name, and the names it holds, so that a misspelt {@code stripe.webhook.*} key can be reported
 * at start-up ({@link WebhookConfig#fromSources(ConfigSource...)}).
 *
 * @since 0.2
 */
public interface ConfigSource {

  /** The value of {@code name}, or null when this source does not hold it. */
  String value(String name);

  /** The names this source holds; may be empty when it cannot list them. */
  Collection<String> names();

  /** A source that asks {@code lookup} and lists {@code names}. */
  static ConfigSource of(
      Function<String, String> lookup, Supplier<? extends Collection<String>> names) {
    Objects.requireNonNull(lookup, "lookup == null");
    Objects.requireNonNull(names, "names == null");
    return new ConfigSource() {
      @Override
      public String value(String name) {
        return lookup.apply(name);
      }

      @Override
      public Collection<String> names() {
        return names.get();
      }
    };
  }

  /** A source that asks {@code lookup} and cannot list its names. */
  static ConfigSource of(Function<String, String> lookup) {
    return of(lookup, List::of);
  }

  /** A source over {@code values}. */
  static ConfigSource of(Map<String, String> values) {
    Objects.requireNonNull(values, "values == null");
    return of(values::get, values::keySet);
  }

  /** The JVM's system properties. */
  static ConfigSource systemProperties() {
    return of(System::getProperty, () -> System.getProperties().stringPropertyNames());
  }

  /** The process environment. */
  static ConfigSource environment() {
    return of(System::getenv, () -> System.getenv().keySet());
  }
}
