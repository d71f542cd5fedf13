// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.it;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.stripewebhook.testing.SignedPayload;
import dev.stripewebhook.testing.StripeFixtures;
import dev.stripewebhook.testing.WebhookSender;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;

/** Talks to a deployed example shop over HTTP, as Stripe and the shop's users would. */
public final class ShopClient {
  /** The secret the containers are started with (system property {@code it.secret}). */
  public static final String SECRET = System.getProperty("it.secret", "whsec_it_containers");

  /** The example's admin password on the containers (system property {@code it.adminPassword}). */
  public static final String ADMIN_PASSWORD =
      System.getProperty("it.adminPassword", "it-admin-password");

  /** The servlet filter's endpoint. */
  public static final String FILTER = "webhooks/stripe";

  /** The JAX-RS endpoint with a {@code @StripeEvent} parameter. */
  public static final String JAXRS = "api/webhooks/stripe";

  private final URI base;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  /** A client for the application at {@code base}, e.g. {@code http://127.0.0.1:18080/shop/}. */
  public ShopClient(URI base) {
    this.base = base.toString().endsWith("/") ? base : URI.create(base + "/");
  }

  /** A sender that signs with the deployment's secret and posts to {@code path}. */
  public WebhookSender sender(String path) {
    return new WebhookSender(base.resolve(path), SECRET);
  }

  /** Signs {@code body} now with the deployment's secret. */
  public static SignedPayload signed(byte[] body) {
    return SignedPayload.of(body).secret(SECRET);
  }

  /** A {@code payment_intent.*} event whose payment intent names {@code orderId}. */
  public static JsonObject paymentIntent(String type, String orderId) {
    JsonObject event = StripeFixtures.eventJson(type);
    JsonObject metadata = new JsonObject();
    metadata.addProperty("order_id", orderId);
    event.getAsJsonObject("data").getAsJsonObject("object").add("metadata", metadata);
    return event;
  }

  /** A fresh id with a readable prefix, so that tests never share state in one deployment. */
  public static String unique(String prefix) {
    return prefix + "_" + UUID.randomUUID().toString().substring(0, 8);
  }

  /** {@code GET path}. */
  public HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(base.resolve(path)).GET().timeout(Duration.ofSeconds(30)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** {@code GET path} as the example's admin user, with HTTP Basic. */
  public HttpResponse<String> getAsAdmin(String path, String password)
      throws IOException, InterruptedException {
    String credentials =
        java.util.Base64.getEncoder()
            .encodeToString(
                ("admin:" + password).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    return http.send(
        HttpRequest.newBuilder(base.resolve(path))
            .GET()
            .header("Authorization", "Basic " + credentials)
            .timeout(Duration.ofSeconds(30))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** The JSON object of a response body. */
  public static JsonObject json(HttpResponse<String> response) {
    return JsonParser.parseString(response.body()).getAsJsonObject();
  }

  /** The ids of the events applied to an order, in the order they were applied. */
  public java.util.List<String> appliedEvents(String orderId)
      throws IOException, InterruptedException {
    HttpResponse<String> response = get("api/orders/" + orderId);
    if (response.statusCode() != 200) {
      throw new AssertionError("GET api/orders/" + orderId + ": " + response.statusCode());
    }
    java.util.List<String> ids = new java.util.ArrayList<>();
    json(response).getAsJsonArray("appliedEvents").forEach(id -> ids.add(id.getAsString()));
    return ids;
  }

  /** How often the observers saw event {@code id}: 0 when never (the test probe's answer). */
  public int observed(String id) throws IOException, InterruptedException {
    HttpResponse<String> response = get("probe/deliveries/" + id);
    return response.statusCode() == 404 ? 0 : json(response).get("count").getAsInt();
  }

  /** The SHA-256 of the bytes the observers were given for event {@code id}. */
  public String observedSha256(String id) throws IOException, InterruptedException {
    return json(get("probe/deliveries/" + id)).get("sha256").getAsString();
  }
}
