// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.it.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The library's production jars, as the reactor built them (their paths come from
 * dependency:properties, through the it.jar.* system properties): no test classes and no Stripe
 * fixtures, except the test kit's own.
 */
class LibraryJarsTest {
  private static final String FIXTURES = "stripe-openapi-fixtures3.json";

  @ParameterizedTest
  @ValueSource(
      strings = {
        "stripe-webhook-core",
        "stripe-webhook-testing",
        "stripe-webhook-filter",
        "stripe-webhook-jaxrs",
        "stripe-webhook-admin",
        "stripe-webhook-cli"
      })
  void holdsNoTestCode(String artifactId) throws IOException {
    Path jar = jar(artifactId);
    List<String> entries = entries(jar);
    assertThat(entries).as("%s", jar).isNotEmpty();
    assertThat(testClasses(entries)).as("test classes in %s", jar).isEmpty();
    assertThat(sameAsTestOutput(jar, entries)).as("test output in %s", jar).isEmpty();
    if (artifactId.equals("stripe-webhook-testing")) {
      assertThat(entries).as("%s", jar).anyMatch(e -> e.endsWith("/" + FIXTURES));
    } else {
      assertThat(entries).as("fixtures in %s", jar).noneMatch(e -> e.endsWith(FIXTURES));
    }
  }

  /** The CLI's runnable jar bundles the test kit, fixtures included, but no test classes. */
  @ParameterizedTest
  @ValueSource(strings = {"stripe-webhook-cli"})
  void runnableCliJarHoldsNoTestCode(String artifactId) throws IOException {
    Path thin = jar(artifactId);
    String name = thin.getFileName().toString();
    Path all = thin.resolveSibling(name.substring(0, name.length() - ".jar".length()) + "-all.jar");
    assertThat(all).as("the CLI's runnable jar").isRegularFile();
    List<String> entries = entries(all);
    assertThat(testClasses(entries)).as("test classes in %s", all).isEmpty();
    // the core's tests compile the test kit's sources too: those are production classes here
    List<String> testKit = entries(jar("stripe-webhook-testing"));
    List<String> fromTests = new ArrayList<>();
    for (String module : List.of("webhook-core", "webhook-testing", "webhook-cli")) {
      Path testClasses = thin.getParent().resolve("../../" + module + "/target/test-classes");
      sameAs(testClasses, entries).stream()
          .filter(e -> !testKit.contains(e))
          .forEach(fromTests::add);
    }
    assertThat(fromTests).as("test output in %s", all).isEmpty();
  }

  private static Path jar(String artifactId) {
    String property = "it.jar." + artifactId;
    String path = System.getProperty(property);
    assertThat(path).as("system property %s", property).isNotBlank();
    Path jar = Path.of(path);
    assertThat(jar).as("%s", property).isRegularFile();
    return jar;
  }

  private static List<String> entries(Path jar) throws IOException {
    try (JarFile file = new JarFile(jar.toFile())) {
      return file.stream().map(e -> e.getName()).collect(Collectors.toList());
    }
  }

  private static List<String> testClasses(List<String> entries) {
    return entries.stream()
        .filter(e -> e.endsWith(".class"))
        .filter(e -> e.matches("(.*/)?[^/]*(Test|Tests|IT|TestCase)(\\$[^/]*)?\\.class"))
        .collect(Collectors.toList());
  }

  /** Classes and JSON that the module's own test build wrote (in the reactor only). */
  private static List<String> sameAsTestOutput(Path jar, List<String> entries) throws IOException {
    return sameAs(jar.resolveSibling("test-classes"), entries);
  }

  private static List<String> sameAs(Path testClasses, List<String> entries) throws IOException {
    if (!Files.isDirectory(testClasses)) {
      return List.of(); // resolved from a local repository: no test output to compare with
    }
    try (Stream<Path> files = Files.walk(testClasses)) {
      List<String> testOutput =
          files
              .filter(Files::isRegularFile)
              .map(f -> testClasses.relativize(f).toString().replace('\\', '/'))
              .filter(f -> f.endsWith(".class") || f.endsWith(".json"))
              .collect(Collectors.toList());
      return entries.stream().filter(testOutput::contains).collect(Collectors.toList());
    }
  }
}
