// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.jaxrs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.stripewebhook.inbox.InboxStatus;
import dev.stripewebhook.inbox.InboxWorkers;
import dev.stripewebhook.jaxrs.Door.Stored.Outcome;
import dev.stripewebhook.jaxrs.Door.Stored.Taken;
import dev.stripewebhook.jaxrs.DoorProcessing.Fault;
import dev.stripewebhook.pipeline.WebhookEndpoint;
import dev.stripewebhook.testing.SignedPayload;
import dev.stripewebhook.testing.StripeFixtures;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.opentest4j.TestAbortedException;

/**
 * The library's promise, the same on every door: the same deliveries get the same answers and the
 * same processing runs, whether an event comes in through the servlet filter (with handlers, or
 * passing down to the servlet or JAX-RS resource behind it), the JAX-RS providers alone, the async
 * workers, or is taken in again by the admin console's replay or by recovery from Stripe's Events
 * API. Each door runs the same {@link DoorProcessing} on its own embedded Jetty.
 *
 * <p>Jersey and RESTEasy cannot share a JVM (each installs the JAX-RS {@code RuntimeDelegate}; see
 * the surefire executions of the pom): where Jersey is on the class path, every door but RESTEasy's
 * runs; where RESTEasy is, its two doors alone.
 */
class DoorGuaranteesTest {
  private static final String ON_RESTEASY = "org.jboss.resteasy.core.ResteasyDeploymentImpl";
  private static final String ON_JERSEY = "org.glassfish.jersey.servlet.ServletContainer";
  static final List<Door.Http> HTTP_DOORS = httpDoorsOfThisClassPath();
  static final List<Door.Stored> STORED_DOORS =
      present(ON_JERSEY) || !present(ON_RESTEASY)
          ? List.of(new Door.Replay("admin replay"), new Door.Recovery("recovery (Events API)"))
          : List.of();

  private static List<Door.Http> httpDoorsOfThisClassPath() {
    if (present(ON_RESTEASY) && !present(ON_JERSEY)) {
      return List.of(
          new Door.Jaxrs("JAX-RS behind the filter (RESTEasy)", Door.Jaxrs.Runtime.RESTEASY, true),
          new Door.Jaxrs("JAX-RS alone (RESTEasy)", Door.Jaxrs.Runtime.RESTEASY, false));
    }
    List<Door.Http> doors =
        new ArrayList<>(
            List.of(
                new Door.Filter("filter with handlers", Door.Filter.Kind.HANDLERS),
                new Door.Filter("filter passing down to a servlet", Door.Filter.Kind.PASS_DOWN),
                new Door.Filter("async workers", Door.Filter.Kind.ASYNC)));
    if (present(ON_JERSEY)) {
      doors.add(
          new Door.Jaxrs("JAX-RS behind the filter (Jersey)", Door.Jaxrs.Runtime.JERSEY, true));
      doors.add(new Door.Jaxrs("JAX-RS alone (Jersey)", Door.Jaxrs.Runtime.JERSEY, false));
    }
    return List.copyOf(doors);
  }

  private static boolean present(String className) {
    try {
      Class.forName(className, false, DoorGuaranteesTest.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  /** A failure names its door: the build's report tells a test's arguments by index only. */
  @RegisterExtension
  static final TestExecutionExceptionHandler NAMES_THE_DOOR =
      (context, failure) -> {
        if (failure instanceof TestAbortedException) {
          throw failure;
        }
        throw new AssertionError(
            context.getDisplayName()
                + ": "
                + (failure instanceof AssertionError ? failure.getMessage() : failure.toString()),
            failure);
      };

  static Stream<Door.Http> httpDoors() {
    return HTTP_DOORS.stream();
  }

  static Stream<Door.Stored> storedDoors() {
    return STORED_DOORS.stream();
  }

  @AfterAll
  static void stopDoors() throws Exception {
    for (Door door : HTTP_DOORS) {
      door.stop();
    }
    for (Door door : STORED_DOORS) {
      door.stop();
    }
  }

  static String id(JsonObject event) {
    return Door.id(event);
  }

  static byte[] bytes(JsonObject event) {
    return StripeFixtures.toBytes(event);
  }

  static void assertProblem(HttpResponse<String> response, int status, String reason) {
    assertProblem(
        response.statusCode(),
        response.headers().firstValue("Content-Type").orElse(""),
        response.body(),
        status,
        reason);
  }

  static void assertProblem(Door.RawAnswer answer, int status, String reason) {
    assertProblem(
        answer.status(),
        answer.headers().getOrDefault("Content-Type", ""),
        answer.body(),
        status,
        reason);
  }

  static void assertProblem(
      int actualStatus, String contentType, String body, int status, String reason) {
    String answer = actualStatus + " " + contentType + " " + body;
    assertThat(actualStatus).as(answer).isEqualTo(status);
    assertThat(contentType).as(answer).startsWith("application/problem+json");
    assertThat(JsonParser.parseString(body).getAsJsonObject().get("reason").getAsString())
        .as(answer)
        .isEqualTo(reason);
  }

  static void assertNoExceptionText(String answer) {
    assertThat(answer)
        .doesNotContain(DoorProcessing.FAULT_TEXT)
        .doesNotContain("Exception")
        .doesNotContain("AssertionError")
        .doesNotContain("\tat ");
  }

  /** Runs {@code task} {@code copies} times at once on a bounded pool; their results in order. */
  static <T> List<T> atOnce(int copies, Callable<T> task) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(copies);
    try {
      List<Callable<T>> tasks = new ArrayList<>();
      for (int i = 0; i < copies; i++) {
        tasks.add(task);
      }
      List<T> results = new ArrayList<>();
      for (Future<T> result : pool.invokeAll(tasks, 2, TimeUnit.MINUTES)) {
        results.add(result.get());
      }
      return results;
    } finally {
      pool.shutdownNow();
    }
  }

  // 1. A new event: 2xx, processed once; the same event again: 200, not processed again.

  @ParameterizedTest(name = "{0}", allowZeroInvocations = true)
  @MethodSource("httpDoors")
  void aNewEventIsProcessedOnceAndItsRedeliveryIs200WithoutProcessing(Door.Http door)
      throws Exception {
    JsonObject event = StripeFixtures.eventJson("invoice.paid");
    String id = id(event);

    HttpResponse<String> first = door.send(bytes(event));
    assertThat(first.statusCode()).as(first.body()).isBetween(200, 299);
    door.settle(id);
    assertThat(door.processing.runs(id)).isEqualTo(1);

    HttpResponse<String> again = door.send(bytes(event));
    assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
    door.settle(id);
    assertThat(door.processing.runs(id)).isEqualTo(1);
  }

  // 2. Twenty concurrent copies of a new event, its processing slow: all 2xx, processed once.

  @ParameterizedTest(name = "{0}", allowZeroInvocations = true)
  @MethodSource("httpDoors")
  void twentyConcurrentCopiesOfANewEventAreAll2xxAndProcessedOnce(Door.Http door) throws Exception {
    JsonObject event = StripeFixtures.eventJson("customer.created");
    String id = id(event);
    door.processing.slow(id);
    byte[] body = bytes(event);

    List<String> answers =
        atOnce(
            20,
            () -> {
              HttpResponse<String> answer = door.send(body);
              return answer.statusCode() + " " + answer.body();
            });

    assertThat(answers).hasSize(20).allSatisfy(answer -> assertThat(answer).startsWith("2"));
    door.settle(id);
    assertThat(door.processing.runs(id)).isEqualTo(1);
  }

  // 2b. The endpoint's threads (workers or inbox pruning, alert checks) run with its application
  // and stop with it: an undeployed application leaves none behind.

  @ParameterizedTest(name = "{0}", allowZeroInvocations = true)
  @MethodSource("httpDoors")
  void theEndpointsThreadsRunWithItsApplicationAndStopWithIt(Door.Http door) throws Exception {
    // A door may build its endpoint at its first delivery.
    HttpResponse<String> answer = door.send(bytes(StripeFixtures.eventJson("invoice.paid")));
    assertThat(answer.statusCode()).as(answer.body()).isBetween(200, 299);
    WebhookEndpoint endpoint = door.endpoint();
    assertThat(endpoint).as("%s: the endpoint its application publishes", door).isNotNull();
    InboxWorkers workers = endpoint.workers();
    assertThat(workers).as("%s: its workers or inbox pruning, started", door).isNotNull();

    door.stop();

    assertThat(workers.isTerminated()).as("%s: its threads, once stopped", door).isTrue();
  }

  // 3. What the edge refuses: a wrong signature, a GET, a body over the limit.

  @ParameterizedTest(name = "{0}", allowZeroInvocations = true)
  @MethodSource("httpDoors")
  void aWrongSignatureIs400SignatureMismatchAndNothingRuns(Door.Http door) throws Exception {
    JsonObject event = StripeFixtures.eventJson("invoice.paid");
    byte[] body = bytes(event);

    HttpResponse<String> answer =
        door.post(body, SignedPayload.of(body).secret("whsec_another_endpoints_secret").header());

    assertProblem(answer, 400, "signature-mismatch");
    assertThat(door.processing.runs(id(event))).isZero();
  }

  @ParameterizedTest(name = "{0}", allowZeroInvocations = true)
  @MethodSource("httpDoors")
  void aGetIs405(Door.Http door) throws Exception {
    HttpResponse<String> answer = door.get();
    assertThat(answer.statusCode()).as(answer.body()).isEqualTo(405);
  }

  @ParameterizedTest(name = "{0}", allowZeroInvocations = true)
  @MethodSource("httpDoors")
  void aBodyOverTheLimitIs413AndNothingRuns(Door.Http door) throws Exception {
    JsonObject event = StripeFixtures.eventJson("customer.created");
    event.addProperty("padding", "x".repeat(Door.MAX_BODY));

    Door.RawAnswer answer = door.sendHeadersOnly(bytes(event));

    assertProblem(answer, 413, "body-too-large");
    assertThat(door.processing.runs(id(event))).isZero();
  }

  // 4. A processing that fails: 500 handler-failed, no exception text; not lost, not stuck.

  @ParameterizedTest(name = "{0}", allowZeroInvocations = true)
  @MethodSource("httpDoors")
  void aFailedProcessingIs500WithoutExceptionTextAndTheRedeliveryAfterTheFixRunsIt(Door.Http door)
      throws Exception {
    List<String> broken = new ArrayList<>();
    for (Fault fault : door.faults()) {
      try {
        failThenFix(door, fault, broken);
      } catch (AssertionError e) {
        broken.add(fault + ": " + e.getMessage());
      }
    }
    assertThat(broken).as("faults whose delivery broke the promise").isEmpty();
  }

  /**
   * One fault: what its delivery answers (a wrong answer is noted in {@code broken}, and the
   * redelivery still tried), then whether the redelivery after the fix runs the event.
   */
  private static void failThenFix(Door.Http door, Fault fault, List<String> broken)
      throws Exception {
    JsonObject event = StripeFixtures.eventJson("invoice.payment_failed");
    String id = id(event);
    door.processing.fail(id, fault);

    HttpResponse<String> failed = door.send(bytes(event));

    try {
      if (door.async()) {
        // Async answers once the event is stored, before it is processed: the failure cannot
        // be the answer. It is recorded, and retried.
        assertThat(failed.statusCode()).as(failed.body()).isEqualTo(200);
        door.awaitStatus(id, InboxStatus.FAILED);
      } else if (fault == Fault.ANSWERS_500) {
        // The processing's own answer, let through once its outcome is recorded.
        assertThat(failed.statusCode()).as(failed.body()).isEqualTo(500);
      } else {
        assertProblem(failed, 500, "handler-failed");
      }
      assertNoExceptionText(failed.body());
    } catch (AssertionError e) {
      broken.add(fault + ", the failed delivery: " + e.getMessage());
    }
    int failedRuns = door.processing.runs(id);
    if (!door.async()) {
      assertThat(failedRuns).as("runs of the failed delivery").isEqualTo(1);
    }

    door.processing.heal(id);
    HttpResponse<String> redelivered = door.send(bytes(event));

    assertThat(redelivered.statusCode()).as("the redelivery: " + redelivered.body()).isEqualTo(200);
    door.settle(id);
    if (door.async()) {
      assertThat(door.processing.runs(id)).isGreaterThan(failedRuns);
    } else {
      assertThat(door.processing.runs(id)).as("runs after the redelivery").isEqualTo(2);
    }
  }

  // 5. Never a 2xx before the done mark: after each 2xx, the inbox has the event done (sync)
  //    or stored (async, whose processing comes after the answer by design).

  @ParameterizedTest(name = "{0}", allowZeroInvocations = true)
  @MethodSource("httpDoors")
  void every2xxComesAfterTheEventIsMarkedDone(Door.Http door) throws Exception {
    JsonObject event = StripeFixtures.eventJson("customer.updated");
    String id = id(event);
    door.processing.slow(id);
    byte[] body = bytes(event);

    List<String> answers =
        new ArrayList<>(
            atOnce(
                20,
                () -> {
                  HttpResponse<String> answer = door.send(body);
                  // Read at once, before anything else the test does.
                  String inbox =
                      answer.statusCode() / 100 == 2 ? door.inboxStatus(id) : "not asked";
                  return answer.statusCode() + " with the event " + inbox;
                }));
    HttpResponse<String> again = door.send(body);
    answers.add(again.statusCode() + " with the event " + door.inboxStatus(id));

    List<String> allowed =
        door.async() ? List.of("received", "processing", "done", "failed") : List.of("done");
    assertThat(answers)
        .filteredOn(answer -> answer.startsWith("2"))
        .isNotEmpty()
        .allSatisfy(
            answer ->
                assertThat(answer.substring(answer.lastIndexOf(' ') + 1)).as(answer).isIn(allowed));
  }

  // 6. A client outside stripe.webhook.allowed-ips: 403 address-not-allowed, on every door.

  @ParameterizedTest(name = "{0}", allowZeroInvocations = true)
  @MethodSource("httpDoors")
  void aClientOutsideTheAllowListIs403AndNothingRuns(Door.Http door) throws Exception {
    JsonObject event = StripeFixtures.eventJson("invoice.paid");

    HttpResponse<String> answer = door.sendFromOutsideTheAllowList(bytes(event));

    assertProblem(answer, 403, "address-not-allowed");
    assertThat(door.processing.runs(id(event))).isZero();
  }

  // 7. An event no inbox can store: 400 unstorable-event.

  @ParameterizedTest(name = "{0}", allowZeroInvocations = true)
  @MethodSource("httpDoors")
  void anEventWithAnIdOf300CharactersIs400UnstorableAndNothingRuns(Door.Http door)
      throws Exception {
    JsonObject event = StripeFixtures.eventJson("invoice.paid");
    event.addProperty("id", "evt_" + "x".repeat(296));

    HttpResponse<String> answer = door.send(bytes(event));

    assertProblem(answer, 400, "unstorable-event");
    assertThat(door.processing.runs(id(event))).isZero();
  }

  // Stored events, taken in again by replay or recovery: the same promise without a request.
  // Edge rules (3, 6, 7 above) have no request to hold on here: replay takes events a delivery
  // already verified and stored, recovery signs and verifies what the Events API lists.

  @ParameterizedTest(name = "{0}", allowZeroInvocations = true)
  @MethodSource("storedDoors")
  void aStoredEventTakenInRunsOnceIsMarkedDoneAndTakenInAgainDoesNotRun(Door.Stored door)
      throws Exception {
    JsonObject event = StripeFixtures.eventJson("invoice.paid");
    String id = id(event);
    door.store(event, false);
    int before = door.processing.runs(id);

    Taken first = door.takeIn(id, false);

    assertThat(first.outcome()).as(first.answer()).isEqualTo(Outcome.PROCESSED);
    assertThat(door.processing.runs(id)).isEqualTo(before + 1);
    assertThat(door.inboxStatus(id, false)).isEqualTo(InboxStatus.DONE.code());

    Taken again = door.takeIn(id, false);

    assertThat(again.outcome()).as(again.answer()).isEqualTo(Outcome.NOTHING_TO_DO);
    assertThat(door.processing.runs(id)).isEqualTo(before + 1);
    assertThat(door.inboxStatus(id, false)).isEqualTo(InboxStatus.DONE.code());
  }

  @ParameterizedTest(name = "{0}", allowZeroInvocations = true)
  @MethodSource("storedDoors")
  void twentyConcurrentTakesOfAStoredEventRunItOnce(Door.Stored door) throws Exception {
    JsonObject event = StripeFixtures.eventJson("customer.created");
    String id = id(event);
    door.store(event, false);
    door.processing.slow(id);
    int before = door.processing.runs(id);

    List<Taken> taken = atOnce(20, () -> door.takeIn(id, false));

    assertThat(taken)
        .extracting(Taken::outcome)
        .doesNotContain(Outcome.FAILED)
        .contains(Outcome.PROCESSED);
    assertThat(door.processing.runs(id)).isEqualTo(before + 1);
    assertThat(door.inboxStatus(id, false)).isEqualTo(InboxStatus.DONE.code());
  }

  @ParameterizedTest(name = "{0}", allowZeroInvocations = true)
  @MethodSource("storedDoors")
  void aStoredEventWhoseProcessingFailsStaysFailedAndRunsOnceTheFaultIsFixed(Door.Stored door)
      throws Exception {
    for (Fault fault : List.of(Fault.THROWS_RUNTIME_EXCEPTION, Fault.THROWS_ASSERTION_ERROR)) {
      JsonObject event = StripeFixtures.eventJson("invoice.payment_failed");
      String id = id(event);
      door.store(event, false);
      int before = door.processing.runs(id);
      door.processing.fail(id, fault);

      Taken failed = door.takeIn(id, false);

      assertThat(failed.outcome()).as(fault + ": " + failed.answer()).isEqualTo(Outcome.FAILED);
      assertNoExceptionText(failed.answer());
      assertThat(door.processing.runs(id)).as(fault.name()).isEqualTo(before + 1);
      assertThat(door.inboxStatus(id, false)).as(fault.name()).isEqualTo(InboxStatus.FAILED.code());

      door.processing.heal(id);
      Taken fixed = door.takeIn(id, false);

      assertThat(fixed.outcome()).as(fault + ": " + fixed.answer()).isEqualTo(Outcome.PROCESSED);
      assertThat(door.processing.runs(id)).as(fault.name()).isEqualTo(before + 2);
      assertThat(door.inboxStatus(id, false)).as(fault.name()).isEqualTo(InboxStatus.DONE.code());
    }
  }

  @ParameterizedTest(name = "{0}", allowZeroInvocations = true)
  @MethodSource("storedDoors")
  void aPassDownEndpointsStoredEventIsNotMarkedDoneUntilADeliveryRunsIt(Door.Stored door)
      throws Exception {
    JsonObject event = StripeFixtures.eventJson("invoice.paid");
    String id = id(event);
    door.store(event, true);
    int before = door.processing.runs(id);

    Taken taken = door.takeIn(id, true);

    // Its processing is the servlet behind the filter, which runs only in a delivery.
    assertThat(taken.outcome()).as(taken.answer()).isEqualTo(Outcome.NEEDS_A_DELIVERY);
    if (door instanceof Door.Replay) {
      assertThat(taken.answer()).startsWith("409 ");
    }
    assertThat(door.processing.runs(id)).isEqualTo(before);
    assertThat(door.inboxStatus(id, true))
        .isNotEqualTo(InboxStatus.DONE.code())
        .isNotEqualTo("absent");

    HttpResponse<String> delivered = door.deliver(event, true);

    assertThat(delivered.statusCode()).as(delivered.body()).isEqualTo(200);
    assertThat(door.processing.runs(id)).isEqualTo(before + 1);
    assertThat(door.inboxStatus(id, true)).isEqualTo(InboxStatus.DONE.code());
  }

  @ParameterizedTest(name = "{0}", allowZeroInvocations = true)
  @MethodSource("storedDoors")
  void anEventWithAnIdOf300CharactersIsRefusedNotStoredAndTheOthersAreRecovered(Door.Stored door)
      throws Exception {
    // Replay takes only events a delivery stored, and every delivery refuses this one (7).
    assumeTrue(door instanceof Door.Recovery, "replay never sees an event no door stored");
    // Stored, it would break the JDBC inbox's id column: the run would stop there, and the
    // events listed after it would not be recovered.
    Door.Recovery recovery = (Door.Recovery) door;
    JsonObject unstorable = StripeFixtures.eventJson("invoice.paid");
    unstorable.addProperty("id", "evt_" + "x".repeat(296));
    JsonObject fine = StripeFixtures.eventJson("invoice.paid");
    recovery.list(unstorable, fine);

    Taken taken = recovery.takeIn(id(fine), false);

    assertThat(taken.answer()).contains("1 refused");
    assertThat(door.inboxStatus(id(unstorable), false)).isEqualTo("absent");
    assertThat(door.processing.runs(id(unstorable))).isZero();
    assertThat(door.processing.runs(id(fine))).isEqualTo(1);
    assertThat(door.inboxStatus(id(fine), false)).isEqualTo(InboxStatus.DONE.code());
  }
}
