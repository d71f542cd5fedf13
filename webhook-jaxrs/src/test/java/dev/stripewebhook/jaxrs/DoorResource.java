// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.jaxrs;

import dev.stripewebhook.VerifiedEvent;
import jakarta.servlet.ServletContext;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** The resource of the JAX-RS doors of {@link DoorGuaranteesTest}: the door's processing. */
@Path("stripe")
public class DoorResource {
  @Context private ServletContext context;

  @POST
  public Response receive(@StripeEvent VerifiedEvent event) {
    int status = ((DoorProcessing) context.getAttribute(DoorProcessing.ATTRIBUTE)).run(event.id());
    return Response.status(status)
        .type(MediaType.APPLICATION_JSON)
        .entity("{\"processed\":" + (status == 200) + "}")
        .build();
  }
}
