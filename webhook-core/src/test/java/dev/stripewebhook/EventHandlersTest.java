// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class EventHandlersTest {

  record Named(String name, Set<String> eventTypes) implements StripeEventHandler {
    @Override
    public void handle(VerifiedEvent event) {}
  }

  final Named exact = new Named("exact", Set.of("customer.subscription.updated"));
  final Named prefix = new Named("prefix", Set.of("customer.subscription.*"));
  final Named all = new Named("all", Set.of("*"));
  final Named other = new Named("other", Set.of("invoice.paid", "invoice.payment_failed"));
  final EventHandlers handlers = EventHandlers.of(exact, prefix, all, other);

  @Test
  void matchesExactPrefixAndCatchAllInRegistrationOrder() {
    assertThat(handlers.forType("customer.subscription.updated"))
        .containsExactly(exact, prefix, all);
    assertThat(handlers.forType("customer.subscription.deleted")).containsExactly(prefix, all);
    assertThat(handlers.forType("invoice.paid")).containsExactly(all, other);
    assertThat(handlers.forType("charge.refunded")).containsExactly(all);
  }

  @Test
  void theHandlingContextIsCurrentOnTheThreadOnlyWhileHandlersRun() throws Exception {
    HandlingContext context =
        HandlingContext.of(
            (java.sql.Connection)
                java.lang.reflect.Proxy.newProxyInstance(
                    getClass().getClassLoader(),
                    new Class<?>[] {java.sql.Connection.class},
                    (proxy, method, args) -> null));
    HandlingContext[] seen = new HandlingContext[1];
    StripeEventHandler observer =
        new StripeEventHandler() {
          @Override
          public Set<String> eventTypes() {
            return Set.of("*");
          }

          @Override
          public void handle(VerifiedEvent event) {
            seen[0] = HandlingContext.current();
          }
        };
    byte[] body = dev.stripewebhook.testing.StripeFixtures.event("invoice.paid");
    VerifiedEvent event =
        SignatureVerifier.create(WebhookConfig.builder().secrets("whsec_x").build())
            .verify(
                body, dev.stripewebhook.testing.SignedPayload.of(body).secret("whsec_x").header());

    assertThat(EventHandlers.of(observer).dispatch(event, context)).isEqualTo(1);

    assertThat(seen[0]).isSameAs(context);
    assertThat(HandlingContext.current()).isSameAs(HandlingContext.none());
  }

  @Test
  void prefixWildcardNeedsTheDot() {
    assertThat(EventHandlers.of(prefix).forType("customer.subscriptionx.updated")).isEmpty();
    assertThat(EventHandlers.of(prefix).forType("customer.subscription")).isEmpty();
  }

  @Test
  void rejectsInvalidPatterns() {
    for (String pattern :
        new String[] {"", " invoice.paid", "invoice*", "*.paid", "in*.paid", ".*", "invoice.**"}) {
      assertThatThrownBy(() -> EventHandlers.of(new Named("bad", Set.of(pattern))))
          .as(pattern)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("Invalid event type pattern");
    }
    assertThatThrownBy(() -> EventHandlers.of(new Named("none", Set.of())))
        .hasMessageContaining("eventTypes() is empty");
  }

  @Test
  void instantiatesByClassNameWithAClearErrorForBadNames() {
    ClassLoader loader = getClass().getClassLoader();
    EventHandlers loaded =
        EventHandlers.builder()
            .instantiate(List.of(RecordingHandler.class.getName()), loader)
            .build();
    assertThat(loaded.all()).singleElement().isInstanceOf(RecordingHandler.class);
    assertThatThrownBy(
            () -> EventHandlers.builder().instantiate(List.of("com.example.Missing"), loader))
        .hasMessageStartingWith(
            "stripe.webhook.handlers: handler class com.example.Missing" + " cannot be loaded");
    assertThatThrownBy(
            () -> EventHandlers.builder().instantiate(List.of(String.class.getName()), loader))
        .hasMessageContaining("does not implement");
  }

  @Test
  void loadsHandlersThroughServiceLoader() {
    EventHandlers loaded =
        EventHandlers.builder().loadServices(getClass().getClassLoader()).build();
    assertThat(loaded.all()).hasAtLeastOneElementOfType(RecordingHandler.class);
  }
}
