// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.it.jetty;

import dev.stripewebhook.it.InboxAcrossRestarts;
import dev.stripewebhook.it.ShopClient;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link InboxAcrossRestarts} on embedded Jetty 12: the whole server stops and starts again. */
class JettyRestartIT extends InboxAcrossRestarts {
  @RegisterExtension static final JettyShop JETTY = new JettyShop();

  @Override
  protected ShopClient shop() {
    return JETTY.client();
  }

  @Override
  protected void restart() throws Exception {
    JETTY.restart();
  }
}
