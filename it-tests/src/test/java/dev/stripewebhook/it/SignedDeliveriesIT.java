// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.it;

import java.net.URI;
import java.net.URL;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@link SignedDeliveries} on the container Arquillian launched (Tomcat or WildFly). */
@ExtendWith(ArquillianExtension.class)
class SignedDeliveriesIT extends SignedDeliveries {

  @Deployment(testable = false)
  static WebArchive deployment() {
    return ShopDeployment.create();
  }

  @ArquillianResource URL base;

  @Override
  protected ShopClient shop() {
    return new ShopClient(URI.create(base.toString()));
  }
}
