// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.benchmarks.http;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Result;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.thread.ScheduledExecutorScheduler;

/**
 * A closed-loop load generator: each virtual user sends its next request when the previous one was
 * answered, over pooled keep-alive HTTP/1.1 connections of Jetty's non-blocking client. Every
 * request carries a new event id and a signature computed just before it is sent.
 */
final class LoadGenerator implements AutoCloseable {
  static final String THREAD_PREFIX = "loadgen";

  private final HttpClient client;
  private final Signer signer;
  private final AtomicLong ids;
  private final int users;

  LoadGenerator(int maxConnections, String secret, AtomicLong ids) throws Exception {
    this.users = maxConnections;
    QueuedThreadPool pool = new QueuedThreadPool(Math.max(8, maxConnections + 4));
    pool.setName(THREAD_PREFIX);
    client = new HttpClient();
    client.setExecutor(pool);
    client.setScheduler(new ScheduledExecutorScheduler(THREAD_PREFIX + "-scheduler", false));
    client.setMaxConnectionsPerDestination(maxConnections);
    client.setMaxRequestsQueuedPerDestination(maxConnections * 4);
    client.setIdleTimeout(60_000);
    client.setUserAgentField(null);
    client.start();
    this.signer = new Signer(secret);
    this.ids = ids;
  }

  /** The connections it keeps, and the users it runs by default. */
  int users() {
    return users;
  }

  /** What one run measured. */
  record Run(
      long inWindow,
      long completed,
      long accepted,
      long failed,
      double seconds,
      Latencies latencies) {
    double perSecond() {
      return inWindow / seconds;
    }
  }

  /**
   * Runs {@code users} users against {@code uri} for {@code duration}; counts the requests answered
   * within it, then waits for those still in flight.
   */
  Run run(URI uri, EventTemplate template, int users, Duration duration)
      throws InterruptedException {
    long start = System.nanoTime();
    long end = start + duration.toNanos();
    CountDownLatch finished = new CountDownLatch(users);
    List<User> all = new ArrayList<>();
    for (int i = 0; i < users; i++) {
      User user = new User(uri, template, end, finished);
      all.add(user);
      user.sendNext();
    }
    if (!finished.await(duration.toSeconds() + 60, TimeUnit.SECONDS)) {
      throw new IllegalStateException("requests still unanswered 60 s after the end of the run");
    }
    long inWindow = 0;
    long completed = 0;
    long accepted = 0;
    long failed = 0;
    List<Latencies> parts = new ArrayList<>();
    for (User user : all) {
      inWindow += user.latencies.size();
      completed += user.completed;
      accepted += user.accepted;
      failed += user.failed;
      parts.add(user.latencies);
    }
    return new Run(
        inWindow, completed, accepted, failed, duration.toNanos() / 1e9, Latencies.merge(parts));
  }

  /** One virtual user; its callbacks run one after another, never at once. */
  private final class User {
    private final URI uri;
    private final EventTemplate template;
    private final long end;
    private final CountDownLatch finished;
    private final Latencies latencies = new Latencies();
    private long completed;
    private long accepted;
    private long failed;

    User(URI uri, EventTemplate template, long end, CountDownLatch finished) {
      this.uri = uri;
      this.template = template;
      this.end = end;
      this.finished = finished;
    }

    void sendNext() {
      if (System.nanoTime() >= end) {
        finished.countDown();
        return;
      }
      byte[] body = template.render(ids.incrementAndGet());
      String signature = signer.header(body);
      long sent = System.nanoTime();
      client
          .newRequest(uri)
          .method(HttpMethod.POST)
          .headers(headers -> headers.put("Stripe-Signature", signature))
          .body(new BytesRequestContent("application/json", body))
          .send(result -> answered(result, sent));
    }

    private void answered(Result result, long sent) {
      long now = System.nanoTime();
      completed++;
      if (result.isSucceeded() && result.getResponse().getStatus() / 100 == 2) {
        accepted++;
        if (now < end) {
          latencies.add(now - sent);
        }
      } else {
        failed++;
        if (failed <= 3) {
          System.err.println(
              uri.getPath()
                  + ": "
                  + (result.isSucceeded()
                      ? "status " + result.getResponse().getStatus()
                      : result.getFailure()));
        }
      }
      sendNext();
    }
  }

  @Override
  public void close() throws Exception {
    client.stop();
  }
}
