// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.example;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.servlet.ServletContext;
import javax.sql.DataSource;

/** Makes the DataSource {@link ShopDatabase} chose at start-up injectable. */
@ApplicationScoped
public class ShopDataSource {

  @Produces
  DataSource dataSource(ServletContext context) {
    return (DataSource) context.getAttribute(ShopDatabase.ATTRIBUTE);
  }
}
