// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.jaxrs.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stripewebhook.ConfigSource;
import dev.stripewebhook.pipeline.WebhookEndpoint;
import jakarta.servlet.ServletContext;
import jakarta.servlet.http.HttpServletRequest;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The endpoint a door configured from the application's sources uses. */
class VerificationTest {

  @Test
  void applicationsWhoseFirstRequestsComeAtOnceShareOneEndpoint() throws Exception {
    Map<String, Object> attributes = new ConcurrentHashMap<>();
    attributes.put(
        DoorLifecycle.ENDPOINTS_ATTRIBUTE, Collections.synchronizedList(new ArrayList<>()));
    ServletContext context = context(attributes);
    HttpServletRequest request = request(context);
    int applications = 4;
    List<Verification> doors = new ArrayList<>();
    for (int i = 0; i < applications; i++) {
      doors.add(
          Verification.fromSources(ConfigSource.of(Map.of("stripe.webhook.secrets", "whsec_x"))));
    }
    CyclicBarrier together = new CyclicBarrier(applications);
    ExecutorService pool = Executors.newFixedThreadPool(applications);
    List<WebhookEndpoint> endpoints = new ArrayList<>();
    try {
      List<Future<WebhookEndpoint>> firsts = new ArrayList<>();
      for (Verification door : doors) {
        firsts.add(
            pool.submit(
                () -> {
                  together.await(10, TimeUnit.SECONDS);
                  return door.endpoint(request);
                }));
      }
      for (Future<WebhookEndpoint> first : firsts) {
        endpoints.add(first.get(30, TimeUnit.SECONDS));
      }
    } finally {
      pool.shutdownNow();
      for (Object built : (List<?>) attributes.get(DoorLifecycle.ENDPOINTS_ATTRIBUTE)) {
        ((WebhookEndpoint) built).close();
      }
    }
    assertThat(endpoints)
        .hasSize(applications)
        .allSatisfy(e -> assertThat(e).isSameAs(endpoints.get(0)));
    assertThat((List<?>) attributes.get(DoorLifecycle.ENDPOINTS_ATTRIBUTE))
        .as("endpoints built and started")
        .hasSize(1);
  }

  /** A servlet context with attributes and no init parameters. */
  private static ServletContext context(Map<String, Object> attributes) {
    return (ServletContext)
        Proxy.newProxyInstance(
            ServletContext.class.getClassLoader(),
            new Class<?>[] {ServletContext.class},
            (proxy, method, args) ->
                switch (method.getName()) {
                  case "getAttribute" -> attributes.get((String) args[0]);
                  case "setAttribute" -> attributes.put((String) args[0], args[1]);
                  case "getInitParameter" -> null;
                  case "getInitParameterNames" -> Collections.emptyEnumeration();
                  case "hashCode" -> System.identityHashCode(proxy);
                  case "equals" -> proxy == args[0];
                  case "toString" -> "test context";
                  default -> throw new UnsupportedOperationException(method.getName());
                });
  }

  private static HttpServletRequest request(ServletContext context) {
    return (HttpServletRequest)
        Proxy.newProxyInstance(
            HttpServletRequest.class.getClassLoader(),
            new Class<?>[] {HttpServletRequest.class},
            (proxy, method, args) -> {
              if (method.getName().equals("getServletContext")) {
                return context;
              }
              throw new UnsupportedOperationException(method.getName());
            });
  }
}
