// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.it.probe;

import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * Test-only: {@code GET /probe/deliveries/{eventId}} answers {@code {"count":n,"sha256":"..."}} for
 * an event the observers saw, 404 for one they did not. A plain servlet reading a static map, so
 * that it works without CDI injection into servlets (Weld cannot inject them on Jetty).
 */
@WebServlet("/probe/deliveries/*")
public class DeliveriesITServlet extends HttpServlet {
  private static final long serialVersionUID = 1L;

  @Override
  protected void doGet(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    String id = request.getPathInfo() == null ? "" : request.getPathInfo().substring(1);
    DeliveriesITObserver.Seen seen = DeliveriesITObserver.SEEN.get(id);
    if (seen == null) {
      response.sendError(HttpServletResponse.SC_NOT_FOUND);
      return;
    }
    response.setContentType("application/json");
    response
        .getWriter()
        .write("{\"count\":" + seen.count() + ",\"sha256\":\"" + seen.sha256() + "\"}");
  }
}
