// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.it.probe;

import dev.stripewebhook.WebhookConfig;
import dev.stripewebhook.servlet.StripeWebhookFilter;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import javax.naming.InitialContext;
import javax.naming.NamingException;
import javax.sql.DataSource;

/**
 * Test-only: {@code GET /probe/inbox/{eventId}} reads the event's inbox row straight from the
 * database, not through the library: from the container's DataSource named by {@value
 * WebhookConfig.Keys#DATASOURCE} when set, else from the one the application handed the filter.
 * Answers {@code {"source":..., "status":..., "attempts":n}}, or 404 when there is no row.
 */
@WebServlet("/probe/inbox/*")
public class InboxITServlet extends HttpServlet {
  private static final long serialVersionUID = 1L;

  @Override
  protected void doGet(HttpServletRequest request, HttpServletResponse response)
      throws IOException, ServletException {
    String id = request.getPathInfo() == null ? "" : request.getPathInfo().substring(1);
    String jndiName = System.getProperty(WebhookConfig.Keys.DATASOURCE);
    try {
      DataSource dataSource =
          jndiName == null
              ? (DataSource)
                  getServletContext().getAttribute(StripeWebhookFilter.DATASOURCE_ATTRIBUTE)
              : (DataSource) new InitialContext().lookup(jndiName);
      try (Connection connection = dataSource.getConnection();
          PreparedStatement select =
              connection.prepareStatement(
                  "SELECT status, attempts FROM stripe_webhook_inbox WHERE event_id = ?")) {
        select.setString(1, id);
        try (ResultSet row = select.executeQuery()) {
          if (!row.next()) {
            response.sendError(HttpServletResponse.SC_NOT_FOUND);
            return;
          }
          response.setContentType("application/json");
          response
              .getWriter()
              .write(
                  "{\"source\":\""
                      + (jndiName == null ? "context" : jndiName)
                      + "\",\"status\":\""
                      + row.getString(1)
                      + "\",\"attempts\":"
                      + row.getInt(2)
                      + "}");
        }
      }
    } catch (NamingException | SQLException e) {
      throw new ServletException(e);
    }
  }
}
