// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.it;

import java.net.URI;
import org.jboss.arquillian.container.test.api.ContainerController;
import org.jboss.arquillian.container.test.api.Deployer;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link InboxAcrossRestarts} on Tomcat and WildFly: the whole server process stops and starts
 * again, and brings the deployed application back up with its container DataSource (Tomcat's {@code
 * context.xml} resource, WildFly's {@code shop-ds.xml}).
 *
 * <p>Runs in failsafe executions of its own, where the container is in Arquillian's manual mode
 * (system property {@code it.containerMode}), so that this test may stop and start it.
 */
@ExtendWith(ArquillianExtension.class)
class ContainerRestartIT extends InboxAcrossRestarts {
  private static final String DEPLOYMENT = "restarted-shop";
  private static final String CONTAINER = System.getProperty("arquillian.launch");

  @Deployment(name = DEPLOYMENT, managed = false, testable = false)
  static WebArchive deployment() {
    return ShopDeployment.create();
  }

  @ArquillianResource ContainerController controller;

  @ArquillianResource Deployer deployer;

  @BeforeEach
  void startAndDeploy() {
    controller.start(CONTAINER);
    deployer.deploy(DEPLOYMENT);
  }

  @AfterEach
  void undeployAndStop() {
    try {
      deployer.undeploy(DEPLOYMENT);
    } finally {
      controller.stop(CONTAINER);
    }
  }

  @Override
  protected void restart() {
    controller.stop(CONTAINER);
    controller.start(CONTAINER);
  }

  @Override
  protected ShopClient shop() {
    // Both servers listen on 18080 in these tests (arquillian.xml); the WAR is shop.war.
    return new ShopClient(URI.create("http://127.0.0.1:18080/shop/"));
  }
}
