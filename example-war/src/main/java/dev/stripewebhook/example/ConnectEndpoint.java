// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.example;

import dev.stripewebhook.WebhookConfig;
import dev.stripewebhook.servlet.StripeWebhookFilter;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterRegistration;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import java.lang.System.Logger.Level;
import java.security.SecureRandom;
import java.util.EnumSet;
import java.util.HexFormat;

/**
 * The shop's second webhook endpoint, for events of its connected accounts: {@code POST
 * /webhooks/stripe-connect}, endpoint {@code connect}, with its own signing secrets from {@value
 * #SECRET_VARIABLE} (comma separated), the same observers and the same database as the first. Under
 * {@code jetty:run} without that variable, a secret is made up for the run and printed, as for the
 * first endpoint ({@link DevelopmentSecret}); deployed elsewhere without it, the endpoint is not
 * registered (one line says so).
 *
 * <p>Registered from here rather than in {@code web.xml} because its secret comes from an
 * environment variable of its own: a second filter's init-param could only name a fixed value.
 */
public final class ConnectEndpoint implements ServletContextListener {
  /** The environment variable with the Connect endpoint's signing secrets: {@value}. */
  public static final String SECRET_VARIABLE = "STRIPE_CONNECT_WEBHOOK_SECRET";

  /** The endpoint's path: {@value}. */
  public static final String PATH = "/webhooks/stripe-connect";

  private static final System.Logger LOG = System.getLogger(ConnectEndpoint.class.getName());

  @Override
  public void contextInitialized(ServletContextEvent sce) {
    ServletContext context = sce.getServletContext();
    String secrets = System.getenv(SECRET_VARIABLE);
    if (secrets == null || secrets.isBlank()) {
      if (!Boolean.getBoolean(DevelopmentSecret.ENABLED)) {
        LOG.log(Level.INFO, "No {0} set: the Connect endpoint {1} is off", SECRET_VARIABLE, PATH);
        return;
      }
      byte[] random = new byte[24];
      new SecureRandom().nextBytes(random);
      secrets = "whsec_dev_connect_" + HexFormat.of().formatHex(random);
      System.out.println();
      System.out.println("No " + SECRET_VARIABLE + " set: this run's Connect endpoint secret is");
      System.out.println("  " + secrets);
      System.out.println("Send a signed test event to " + PATH + " with:");
      System.out.println(
          "  STRIPE_WEBHOOK_SECRET="
              + secrets
              + " mvn -q -pl webhook-filter"
              + " compile exec:java -Dexec.args=\"--url http://localhost:8080"
              + PATH
              + " --type payment_intent.succeeded\"");
      System.out.println();
    }
    FilterRegistration.Dynamic filter =
        context.addFilter("stripe-webhook-connect", StripeWebhookFilter.class);
    filter.setInitParameter(WebhookConfig.Keys.ENDPOINT, "connect");
    filter.setInitParameter(WebhookConfig.Keys.SECRETS, secrets);
    filter.setAsyncSupported(true);
    filter.addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), true, PATH);
  }
}
