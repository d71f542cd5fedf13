// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.example;

import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.sql.SQLException;
import java.util.Map;

/** The read API: what the Stripe events did to orders and subscriptions (JSON by Jackson). */
@Path("/")
@RequestScoped
@Produces(MediaType.APPLICATION_JSON)
public class ShopResource {

  @Inject Shop shop;

  @GET
  @Path("orders/{id}")
  public Map<String, Object> order(@PathParam("id") String id) throws SQLException {
    Shop.Order order = shop.order(id).orElseThrow(NotFoundException::new);
    return Map.of(
        "id", order.id(), "status", order.status(), "appliedEvents", order.appliedEvents());
  }

  @GET
  @Path("subscriptions/{id}")
  public Map<String, String> subscription(@PathParam("id") String id) throws SQLException {
    Shop.SubscriptionState state = shop.subscription(id).orElseThrow(NotFoundException::new);
    return Map.of(
        "id", state.id(), "status", state.status(), "customer", String.valueOf(state.customer()));
  }
}
