// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.it.jetty;

import dev.stripewebhook.it.RejectedDeliveries;
import dev.stripewebhook.it.ShopClient;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link RejectedDeliveries} on embedded Jetty 12. */
class JettyRejectedDeliveriesIT extends RejectedDeliveries {
  @RegisterExtension static final JettyShop JETTY = new JettyShop();

  @Override
  protected ShopClient shop() {
    return JETTY.client();
  }
}
