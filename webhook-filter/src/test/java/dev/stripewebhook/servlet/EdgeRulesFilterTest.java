// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import dev.stripewebhook.StripeEventHandler;
import dev.stripewebhook.VerifiedEvent;
import dev.stripewebhook.WebhookConfig;
import dev.stripewebhook.testing.SignedPayload;
import dev.stripewebhook.testing.StripeFixtures;
import dev.stripewebhook.testing.WebhookSender;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Address allow-list, trusted proxies and Connect endpoints, configured as web.xml would. */
class EdgeRulesFilterTest {
  static final List<String> accounts = new CopyOnWriteArrayList<>();
  static JettyServer server;

  /** Records each event's connected account. */
  public static final class AccountRecorder implements StripeEventHandler {
    @Override
    public Set<String> eventTypes() {
      return Set.of("*");
    }

    @Override
    public void handle(VerifiedEvent event) {
      accounts.add(event.account().orElse("platform"));
    }
  }

  @BeforeAll
  static void start() throws Exception {
    String recorder = AccountRecorder.class.getName();
    server =
        new JettyServer()
            // Not loopback: every direct test request is refused.
            .filter(
                "/allowlisted",
                StripeWebhookFilter.class,
                Map.of(
                    WebhookConfig.Keys.SECRETS,
                    "whsec_ip",
                    WebhookConfig.Keys.HANDLERS,
                    recorder,
                    WebhookConfig.Keys.ALLOWED_IPS,
                    "stripe,192.0.2.0/24"))
            .filter(
                "/proxied",
                StripeWebhookFilter.class,
                Map.of(
                    WebhookConfig.Keys.SECRETS,
                    "whsec_ip",
                    WebhookConfig.Keys.HANDLERS,
                    recorder,
                    WebhookConfig.Keys.ALLOWED_IPS,
                    "stripe",
                    WebhookConfig.Keys.TRUSTED_PROXIES,
                    "127.0.0.1,::1"))
            // One application, two endpoints: the platform's and the Connect one, each its secret.
            .filter(
                "/platform",
                StripeWebhookFilter.class,
                Map.of(
                    WebhookConfig.Keys.SECRETS,
                    "whsec_platform",
                    WebhookConfig.Keys.HANDLERS,
                    recorder))
            .filter(
                "/connect",
                StripeWebhookFilter.class,
                Map.of(
                    WebhookConfig.Keys.SECRETS,
                    "whsec_connect",
                    WebhookConfig.Keys.HANDLERS,
                    recorder,
                    WebhookConfig.Keys.ACCOUNTS,
                    "acct_1"))
            .start();
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  static HttpResponse<String> post(String path, String secret, byte[] body, String forwarded)
      throws Exception {
    var request = WebhookSender.request(server.uri(path), SignedPayload.of(body).secret(secret));
    if (forwarded != null) {
      request.header("X-Forwarded-For", forwarded);
    }
    return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void refusesAnAddressOutsideTheListWith403BeforeReadingTheBody() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", server.port())) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(
          ("POST /allowlisted HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100000\r\n"
                  + "X-Forwarded-For: 54.187.174.169\r\n\r\n")
              .getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      InputStream in = socket.getInputStream();
      String response = new String(in.readNBytes(12), StandardCharsets.ISO_8859_1);
      assertThat(response).isEqualTo("HTTP/1.1 403");
    }
  }

  @Test
  void believesForwardedAddressesOnlyFromTrustedProxies() throws Exception {
    byte[] body = StripeFixtures.event("invoice.paid");
    assertThat(post("/proxied", "whsec_ip", body, "54.187.174.169").statusCode()).isEqualTo(200);
    assertThat(post("/proxied", "whsec_ip", body, "54.187.174.169, 203.0.113.9").statusCode())
        .isEqualTo(403);
    assertThat(post("/proxied", "whsec_ip", body, null).statusCode()).isEqualTo(403);
    // Not a trusted proxy there: the header is ignored.
    assertThat(post("/allowlisted", "whsec_ip", body, "54.187.174.169").statusCode())
        .isEqualTo(403);
  }

  @Test
  void aClientsOwnForwardedHeaderCannotTalkPastTheAllowList() throws Exception {
    // The proxy (127.0.0.1) wrote X-Forwarded-For: 203.0.113.9 and passed the client's own
    // Forwarded along. Before, Forwarded was preferred whenever present: accepted.
    byte[] body = StripeFixtures.event("invoice.paid");
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                WebhookSender.request(
                        server.uri("/proxied"), SignedPayload.of(body).secret("whsec_ip"))
                    .header("Forwarded", "for=3.18.12.63")
                    .header("X-Forwarded-For", "203.0.113.9")
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(403);
    assertThat(response.body()).contains("\"reason\":\"forwarded-headers-disagree\"");
    assertThat(post("/proxied", "whsec_ip", body, "54.187.174.169,").statusCode())
        .as("a trailing comma is malformed, not a one-hop chain")
        .isEqualTo(400);
  }

  @Test
  void platformAndConnectEndpointsEachCheckTheirOwnSecretAndAccounts() throws Exception {
    accounts.clear();
    JsonObject connected = StripeFixtures.eventJson("account.updated");
    connected.addProperty("account", "acct_1");
    byte[] fromAcct1 = StripeFixtures.toBytes(connected);
    byte[] platform = StripeFixtures.event("invoice.paid");
    assertThat(post("/connect", "whsec_connect", fromAcct1, null).statusCode()).isEqualTo(200);
    assertThat(post("/platform", "whsec_platform", platform, null).statusCode()).isEqualTo(200);
    assertThat(accounts).containsExactly("acct_1", "platform");
    assertThat(post("/connect", "whsec_platform", fromAcct1, null).statusCode()).isEqualTo(400);
    HttpResponse<String> refused = post("/connect", "whsec_connect", platform, null);
    assertThat(refused.statusCode()).isEqualTo(400);
    assertThat(refused.body()).contains("\"reason\":\"account-not-allowed\"");
  }

  @Test
  void theSenderReachesAnAllowedEndpoint() throws Exception {
    WebhookSender sender =
        new WebhookSender(URI.create(server.uri("/platform").toString()), "whsec_platform");
    assertThat(sender.send(StripeFixtures.event("charge.succeeded")).statusCode()).isEqualTo(200);
  }
}
