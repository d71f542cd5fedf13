// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.testing;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Sends signed webhook deliveries to a URL, as Stripe would: for tests, and from the command line,
 * like {@code stripe trigger}.
 *
 * <pre>{@code
 * WebhookSender sender = new WebhookSender(URI.create("http://localhost:8080/webhooks/stripe"),
 *     "whsec_...");
 * HttpResponse<String> response = sender.send(StripeFixtures.event("invoice.paid"));
 * }</pre>
 *
 * <h2>Command line</h2>
 *
 * <pre>
 * java dev.stripewebhook.testing.WebhookSender [--url URL] [--secret whsec_...]
 *     [--type TYPE [--metadata key=value] | --file PATH] [--variant VARIANT] [--expect STATUS]
 * </pre>
 *
 * The secret defaults to {@code STRIPE_WEBHOOK_SECRET} (its first entry), the URL to {@value
 * #DEFAULT_URL}, the type to {@code payment_intent.succeeded}; {@code --metadata} sets one entry of
 * {@code data.object.metadata}. Variants: {@code valid}, {@code wrong-secret}, {@code stale},
 * {@code future}, {@code tampered}, {@code unsigned}, {@code malformed}. Exits 0 when the status is
 * the expected one (default: any 2xx), 1 otherwise.
 *
 * @since 0.1
 */
public final class WebhookSender {
  /** Where the example application listens. */
  public static final String DEFAULT_URL = "http://localhost:8080/webhooks/stripe";

  private final URI url;
  private final String[] secrets;
  private final HttpClient client =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  /** A sender to {@code url} that signs with each of {@code secrets}. */
  public WebhookSender(URI url, String... secrets) {
    this.url = Objects.requireNonNull(url, "url == null");
    this.secrets = secrets.clone();
  }

  /** Signs {@code body} now and posts it. */
  public HttpResponse<String> send(byte[] body) throws IOException, InterruptedException {
    return send(SignedPayload.of(body).secret(secrets));
  }

  /** Posts the payload with its header, as given. */
  public HttpResponse<String> send(SignedPayload payload) throws IOException, InterruptedException {
    return post(payload.body(), payload.header());
  }

  /** Posts {@code body} with this {@code Stripe-Signature} value, or none when it is null. */
  public HttpResponse<String> post(byte[] body, String signatureHeader)
      throws IOException, InterruptedException {
    HttpRequest.Builder request = unsigned(url, body);
    if (signatureHeader != null) {
      request.header("Stripe-Signature", signatureHeader);
    }
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  /**
   * The POST of {@code payload} to {@code url} as Stripe sends it, for any {@link HttpClient}: its
   * body, its {@code Stripe-Signature} header, a JSON content type and a 30 s timeout. Add headers
   * (a proxy's {@code X-Forwarded-For}) or another timeout before {@code build()}.
   */
  public static HttpRequest.Builder request(URI url, SignedPayload payload) {
    Objects.requireNonNull(url, "url == null");
    Objects.requireNonNull(payload, "payload == null");
    return unsigned(url, payload.body()).header("Stripe-Signature", payload.header());
  }

  private static HttpRequest.Builder unsigned(URI url, byte[] body) {
    return HttpRequest.newBuilder(url)
        .timeout(Duration.ofSeconds(30))
        .header("Content-Type", "application/json; charset=utf-8")
        .header("User-Agent", "Stripe/1.0 (+https://stripe.com/docs/webhooks)")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
  }

  /** The variants the command line can send. */
  static SignedPayload variant(String name, byte[] body, String secret) {
    SignedPayload valid = SignedPayload.of(body).secret(secret);
    long now = Instant.now().getEpochSecond();
    return switch (name) {
      case "valid", "unsigned" -> valid;
      case "wrong-secret" -> valid.secret("whsec_not_the_configured_secret");
      case "stale" -> valid.at(now - 3600);
      case "future" -> valid.at(now + 3600);
      case "tampered" -> {
        byte[] changed = body.clone();
        changed[changed.length - 1] = (byte) ' ';
        yield valid.withBodyChangedTo(changed);
      }
      case "malformed" -> valid.withItem("v1=NOT-HEX");
      default ->
          throw new IllegalArgumentException(
              "unknown variant "
                  + name
                  + "; use valid,"
                  + " wrong-secret, stale, future, tampered, unsigned or malformed");
    };
  }

  /** The command line; see the class documentation. */
  public static void main(String[] args) throws Exception {
    Map<String, String> options = new HashMap<>();
    for (int i = 0; i < args.length; i++) {
      if (!args[i].startsWith("--") || i + 1 == args.length) {
        usage("unexpected argument " + args[i]);
      }
      options.put(args[i].substring(2), args[++i]);
    }
    for (String key : options.keySet()) {
      if (!List.of("url", "secret", "type", "metadata", "file", "variant", "expect")
          .contains(key)) {
        usage("unknown option --" + key);
      }
    }
    String secret = options.getOrDefault("secret", System.getenv("STRIPE_WEBHOOK_SECRET"));
    if (secret == null || secret.isBlank()) {
      usage("no secret: pass --secret whsec_... or set STRIPE_WEBHOOK_SECRET");
    }
    secret = secret.split(",")[0].trim();
    byte[] body =
        options.containsKey("file")
            ? Files.readAllBytes(Path.of(options.get("file")))
            : fixture(
                options.getOrDefault("type", "payment_intent.succeeded"), options.get("metadata"));
    String variantName = options.getOrDefault("variant", "valid");
    SignedPayload payload = variant(variantName, body, secret);
    WebhookSender sender = new WebhookSender(URI.create(options.getOrDefault("url", DEFAULT_URL)));
    HttpResponse<String> response =
        sender.post(payload.body(), variantName.equals("unsigned") ? null : payload.header());
    System.out.println(response.statusCode() + " " + response.body());
    String expect = options.get("expect");
    boolean ok =
        expect == null
            ? response.statusCode() / 100 == 2
            : Integer.toString(response.statusCode()).equals(expect);
    System.exit(ok ? 0 : 1);
  }

  private static byte[] fixture(String type, String metadata) {
    JsonObject event = StripeFixtures.eventJson(type);
    if (metadata != null) {
      int eq = metadata.indexOf('=');
      if (eq < 1) {
        usage("--metadata takes key=value");
      }
      JsonObject object = event.getAsJsonObject("data").getAsJsonObject("object");
      JsonObject entries =
          object.has("metadata") && object.get("metadata").isJsonObject()
              ? object.getAsJsonObject("metadata")
              : new JsonObject();
      entries.addProperty(metadata.substring(0, eq), metadata.substring(eq + 1));
      object.add("metadata", entries);
    }
    return StripeFixtures.toBytes(event);
  }

  private static void usage(String problem) {
    System.err.println(problem);
    System.err.println(
        "usage: stripe-webhook-cli send [--url URL] [--secret whsec_...]"
            + " [--type TYPE [--metadata key=value] | --file PATH]"
            + " [--variant valid|wrong-secret|stale|future|tampered|unsigned|malformed]"
            + " [--expect STATUS]");
    System.exit(2);
  }
}
