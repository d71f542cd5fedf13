// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.it.jetty;

import dev.stripewebhook.it.ShopClient;
import dev.stripewebhook.it.SignedDeliveries;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link SignedDeliveries} on embedded Jetty 12. */
class JettySignedDeliveriesIT extends SignedDeliveries {
  @RegisterExtension static final JettyShop JETTY = new JettyShop();

  @Override
  protected ShopClient shop() {
    return JETTY.client();
  }
}
