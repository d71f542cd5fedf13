// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.benchmarks.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Each sample counts once, under the first part on its stack, as a millisecond over the requests.
 */
class CpuSplitTest {
  private static final String REQUEST =
      "start_thread;org/eclipse/jetty/util/thread/QueuedThreadPool$Runner.run";
  private static final String FILTER =
      REQUEST + ";dev/stripewebhook/servlet/StripeWebhookFilter.doFilter";

  @Test
  void splitsSamplesByTheFirstPartOnTheirStack() {
    Map<String, Double> micros =
        CpuSplit.split(
            Stream.of(
                // the HMAC inside verify is the HMAC's, not the verifier's
                FILTER
                    + ";dev/stripewebhook/SignatureVerifier.verify;dev/stripewebhook/WebhookSigner.sign;javax/crypto/Mac.doFinal 30",
                FILTER
                    + ";dev/stripewebhook/SignatureVerifier.verify;dev/stripewebhook/EnvelopeReader.envelope 40",
                FILTER
                    + ";dev/stripewebhook/SignatureVerifier.verify;dev/stripewebhook/SignatureHeader.parse 5",
                // the response's write is the container's, though the library calls it
                FILTER
                    + ";dev/stripewebhook/pipeline/Decision.writeBody;org/eclipse/jetty/io/SocketChannelEndPoint.flush 20",
                FILTER + ";dev/stripewebhook/inbox/InMemoryEventInbox.receive 10",
                // the servlet behind the filter runs inside the inbox's claim: not the inbox's
                FILTER
                    + ";dev/stripewebhook/inbox/InMemoryEventInbox.run;dev/stripewebhook/pipeline/WebhookEndpoint.runBehind;jakarta/servlet/FilterChain.doFilter 6",
                FILTER
                    + ";dev/stripewebhook/inbox/InMemoryEventInbox.run;dev/stripewebhook/pipeline/WebhookEndpoint.runBehind;dev/stripewebhook/VerifiedEvent.dataObjectFromBody 4",
                // the benchmark's own servlet is not the library
                REQUEST
                    + ";dev/stripewebhook/benchmarks/http/BenchServlets$Bare.doPost;java/io/InputStream.read 15",
                REQUEST + ";com/stripe/net/Webhook.constructEvent 50",
                "start_thread;thread_native_entry;Thread::call_run;JavaThread::run;CompileBroker::compiler_thread_loop 7",
                "start_thread;thread_native_entry;Thread::call_run;GangWorker::loop;G1ParTask::work 3"),
            10);

    assertThat(micros)
        .containsEntry("HMAC", 3_000.0)
        .containsEntry("envelope read", 4_000.0)
        .containsEntry("signature header, comparison", 500.0)
        .containsEntry("inbox", 1_000.0)
        .containsEntry("handlers' dispatch, pass-down", 600.0)
        .containsEntry("typed object", 400.0)
        .containsEntry("container, JDK, kernel", 3_500.0)
        .containsEntry("stripe-java", 5_000.0)
        .containsEntry("GC, JIT, other threads", 1_000.0)
        .containsEntry("total", 19_000.0)
        .doesNotContainKeys("rest of the library");
  }

  @Test
  void refusesALineWithoutItsCount() {
    assertThatThrownBy(() -> CpuSplit.split(Stream.of(REQUEST), 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("not a collapsed stack and its count");
  }

  @Test
  void printsOneColumnPerSetUpInTheTableOrder() {
    String table =
        CpuSplit.table(
            Map.of(
                "bare",
                CpuSplit.split(Stream.of(REQUEST + ";java/io/InputStream.read 41"), 1_000)));

    assertThat(table)
        .startsWith("| µs of the server's CPU a request | bare |\n|---|---:|\n| HMAC | |\n")
        .contains("| container, JDK, kernel | 41.0 |\n")
        .endsWith("| total | 41.0 |\n");
  }
}
