// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.example;

import dev.stripewebhook.WebhookConfig;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * For trying the example without a Stripe account: when no signing secret is configured, makes one
 * up for this run and prints it, as {@code stripe listen} does. Only under {@code jetty:run}, which
 * sets the system property {@value #ENABLED}: deployed to Tomcat or WildFly without a secret, the
 * example fails at start-up as any application should. A real application sets {@code
 * STRIPE_WEBHOOK_SECRET} and has no such listener.
 */
public final class DevelopmentSecret implements ServletContextListener {
  /** The system property that allows a made-up secret: {@value}. */
  public static final String ENABLED = "example.development-secret";

  @Override
  public void contextInitialized(ServletContextEvent sce) {
    String key = WebhookConfig.Keys.SECRETS;
    String environment = WebhookConfig.Keys.environmentName(key);
    if (!Boolean.getBoolean(ENABLED)
        || System.getProperty(key) != null
        || System.getenv(environment) != null
        || sce.getServletContext().getInitParameter(key) != null) {
      return;
    }
    byte[] random = new byte[24];
    new SecureRandom().nextBytes(random);
    String secret = "whsec_dev_" + HexFormat.of().formatHex(random);
    System.setProperty(key, secret);
    System.out.println();
    System.out.println("No " + environment + " set: this run's webhook signing secret is");
    System.out.println("  " + secret);
    System.out.println("Send a signed test event to /webhooks/stripe with:");
    System.out.println(
        "  "
            + environment
            + "="
            + secret
            + " mvn -q -pl webhook-filter compile exec:java -Dexec.args=\"--type"
            + " payment_intent.succeeded\"");
    System.out.println();
  }
}
