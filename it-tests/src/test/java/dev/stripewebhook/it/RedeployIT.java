// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.it;

import java.net.URI;
import org.jboss.arquillian.container.test.api.Deployer;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link InboxAcrossRestarts} on Tomcat and WildFly: the application is undeployed and deployed
 * again while the server runs, its DataSource with it (Tomcat's {@code context.xml} resource,
 * WildFly's {@code shop-ds.xml}).
 */
@ExtendWith(ArquillianExtension.class)
class RedeployIT extends InboxAcrossRestarts {
  private static final String DEPLOYMENT = "redeployed-shop";

  @Deployment(name = DEPLOYMENT, managed = false, testable = false)
  static WebArchive deployment() {
    return ShopDeployment.create();
  }

  @ArquillianResource
  Deployer deployer;

  @BeforeEach
  void deploy() {
    deployer.deploy(DEPLOYMENT);
  }

  @AfterEach
  void undeploy() {
    deployer.undeploy(DEPLOYMENT);
  }

  @Override
  protected void restart() {
    deployer.undeploy(DEPLOYMENT);
    deployer.deploy(DEPLOYMENT);
  }

  @Override
  protected ShopClient shop() {
    // Both servers listen on 18080 in these tests (arquillian.xml); the WAR is shop.war.
    return new ShopClient(URI.create("http://127.0.0.1:18080/shop/"));
  }
}
