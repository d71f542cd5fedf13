// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.testing;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * A JUnit 5 extension that gives tests a ready sender of signed Stripe events for their server.
 *
 * <pre>{@code
 * @RegisterExtension
 * static StripeWebhooks stripe = StripeWebhooks.to(() -> server.uri("/webhooks/stripe"))
 *     .secret("whsec_test");
 *
 * @Test
 * void marksTheOrderPaid() throws Exception {
 *   HttpResponse<String> response = stripe.send("payment_intent.succeeded",
 *       event -> event.getAsJsonObject("data").getAsJsonObject("object")
 *           .add("metadata", metadata("order_id", "ord_1")));
 *   assertEquals(200, response.statusCode());
 * }
 *
 * @Test
 * void refusesAStaleSignature(WebhookSender sender) throws Exception {  // resolved parameter
 *   sender.send(stripe.payload("invoice.paid").at(Instant.now().minusSeconds(600)));
 * }
 * }</pre>
 *
 * The URL is asked for at each send, so it may name a port chosen when the server started.
 *
 * @since 0.1
 */
public final class StripeWebhooks implements ParameterResolver {
  private final Supplier<URI> url;
  private final String[] secrets;

  private StripeWebhooks(Supplier<URI> url, String[] secrets) {
    this.url = url;
    this.secrets = secrets;
  }

  /** Sends to the URL {@code url} gives at each send. */
  public static StripeWebhooks to(Supplier<URI> url) {
    return new StripeWebhooks(Objects.requireNonNull(url, "url == null"), new String[0]);
  }

  /** Sends to {@code url}. */
  public static StripeWebhooks to(URI url) {
    Objects.requireNonNull(url, "url == null");
    return to(() -> url);
  }

  /** Signs with these secrets (one {@code v1} each). */
  public StripeWebhooks secret(String... secrets) {
    return new StripeWebhooks(url, secrets.clone());
  }

  /** A sender to the current URL with the secrets. */
  public WebhookSender sender() {
    if (secrets.length == 0) {
      throw new IllegalStateException("No signing secret: call secret(\"whsec_...\") first");
    }
    return new WebhookSender(url.get(), secrets);
  }

  /** A realistic event of {@code type}, signed now; change it with its methods before sending. */
  public SignedPayload payload(String type) {
    return SignedPayload.of(StripeFixtures.event(type)).secret(secrets);
  }

  /** Sends a realistic event of {@code type}, signed now. */
  public HttpResponse<String> send(String type) throws IOException, InterruptedException {
    return sender().send(StripeFixtures.event(type));
  }

  /** Sends an event of {@code type} after {@code change} edited its JSON. */
  public HttpResponse<String> send(String type, Consumer<JsonObject> change)
      throws IOException, InterruptedException {
    JsonObject event = StripeFixtures.eventJson(type);
    change.accept(event);
    return sender().send(StripeFixtures.toBytes(event));
  }

  /** Sends a payload with its header as given: a broken variant, say. */
  public HttpResponse<String> send(SignedPayload payload) throws IOException, InterruptedException {
    return sender().send(payload);
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext extension) {
    Class<?> type = parameter.getParameter().getType();
    return type == WebhookSender.class || type == StripeWebhooks.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext extension) {
    return parameter.getParameter().getType() == WebhookSender.class ? sender() : this;
  }
}
