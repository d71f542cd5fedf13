// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.core.importer.Location;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;

/**
 * The package directions of docs/architecture.md, over the classes of every library module (the
 * jars this module's tests depend on): no cycle between any two packages, and no edge the table
 * does not allow.
 */
@AnalyzeClasses(packages = "dev.stripewebhook", importOptions = ArchitectureTest.Library.class)
class ArchitectureTest {
  static final String[] CORE = {
    "dev.stripewebhook", "dev.stripewebhook.internal", "dev.stripewebhook.inbox..",
    "dev.stripewebhook.cdi..", "dev.stripewebhook.pipeline..", "dev.stripewebhook.recovery.."
  };

  @ArchTest
  static final ArchRule noPackageCycles =
      slices().assignedFrom(new ByPackage()).should().beFreeOfCycles();

  @ArchTest
  static final ArchRule directions =
      layeredArchitecture()
          .consideringOnlyDependenciesInLayers()
          .layer("internal")
          .definedBy("dev.stripewebhook.internal")
          .layer("api")
          .definedBy("dev.stripewebhook")
          .layer("inbox")
          .definedBy("dev.stripewebhook.inbox..")
          .layer("cdi")
          .definedBy("dev.stripewebhook.cdi..")
          .layer("pipeline")
          .definedBy("dev.stripewebhook.pipeline..")
          .layer("recovery")
          .definedBy("dev.stripewebhook.recovery..")
          .layer("servlet")
          .definedBy("dev.stripewebhook.servlet..")
          .layer("jaxrs")
          .definedBy("dev.stripewebhook.jaxrs..")
          .layer("admin")
          .definedBy("dev.stripewebhook.admin..")
          .layer("testing")
          .definedBy("dev.stripewebhook.testing..")
          .layer("cli")
          .definedBy("dev.stripewebhook.cli..")
          .whereLayer("internal")
          .mayOnlyBeAccessedByLayers("api", "inbox", "cdi", "pipeline", "recovery")
          .whereLayer("inbox")
          .mayOnlyBeAccessedByLayers("pipeline", "recovery", "servlet", "jaxrs", "admin", "cli")
          .whereLayer("cdi")
          .mayOnlyBeAccessedByLayers("pipeline")
          .whereLayer("pipeline")
          .mayOnlyBeAccessedByLayers("recovery", "servlet", "jaxrs", "admin", "cli")
          .whereLayer("recovery")
          .mayOnlyBeAccessedByLayers("admin", "cli")
          .whereLayer("servlet")
          .mayOnlyBeAccessedByLayers("jaxrs", "admin")
          .whereLayer("testing")
          .mayOnlyBeAccessedByLayers("cli")
          .whereLayer("jaxrs")
          .mayNotBeAccessedByAnyLayer()
          .whereLayer("admin")
          .mayNotBeAccessedByAnyLayer()
          .whereLayer("cli")
          .mayNotBeAccessedByAnyLayer();

  @ArchTest
  static final ArchRule coreHasNoServletTypes =
      noClasses()
          .that()
          .resideInAnyPackage(CORE)
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("jakarta.servlet..", "jakarta.ws.rs..");

  /** Every package is its own slice, so that a cycle between any two packages shows. */
  static final class ByPackage implements SliceAssignment {
    @Override
    public SliceIdentifier getIdentifierOf(JavaClass javaClass) {
      return SliceIdentifier.of(javaClass.getPackageName());
    }

    @Override
    public String getDescription() {
      return "packages";
    }
  }

  /** The library's main classes: not tests, not the example, the probes or the benchmarks. */
  static final class Library implements ImportOption {
    @Override
    public boolean includes(Location location) {
      return !location.contains("/test-classes/")
          && !location.contains("-tests.jar")
          && !location.contains("/example-war/")
          && !location.contains("example-war-");
    }
  }
}
