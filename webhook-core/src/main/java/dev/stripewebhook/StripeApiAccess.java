// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook;

import com.stripe.Stripe;
import com.stripe.StripeClient;
import com.stripe.exception.ApiConnectionException;
import com.stripe.exception.StripeException;
import com.stripe.model.StripeObject;
import com.stripe.net.ApiMode;
import com.stripe.net.ApiResource.RequestMethod;
import com.stripe.net.HttpURLConnectionClient;
import com.stripe.net.RawRequestOptions;
import com.stripe.net.StripeRequest;
import com.stripe.net.StripeResponse;
import com.stripe.net.StripeResponseStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.MalformedURLException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * How the events a {@link SignatureVerifier} verifies reach Stripe's API: the endpoint's {@link
 * StripeClient}, built once from {@value WebhookConfig.Keys#API_KEY} (or given), to which thin
 * event notifications are bound; and whether a thin event's related API v1 object is fetched for
 * code that asks for a snapshot type ({@value WebhookConfig.Keys#THIN_EVENTS}{@code =fetch}). Each
 * such fetch is reported to a {@link FetchListener}: the endpoint counts and times it.
 *
 * <p>Thread safe.
 *
 * @since 0.2
 */
public final class StripeApiAccess {
  private static final StripeApiAccess NONE = new StripeApiAccess(null, false, (ok, nanos) -> {});

  private final StripeClient client;
  private final boolean fetchesSnapshots;
  private final FetchListener listener;

  private StripeApiAccess(StripeClient client, boolean fetchesSnapshots, FetchListener listener) {
    this.client = client;
    this.fetchesSnapshots = fetchesSnapshots;
    this.listener = listener;
  }

  /** No API client: notifications are given unbound, and nothing is fetched. */
  public static StripeApiAccess none() {
    return NONE;
  }

  /**
   * Access through {@code client}.
   *
   * @param fetchesSnapshots whether a thin event's related API v1 object is fetched for code that
   *     asks for a snapshot type
   * @param listener told of each such fetch's outcome and duration
   */
  public static StripeApiAccess of(
      StripeClient client, boolean fetchesSnapshots, FetchListener listener) {
    return new StripeApiAccess(
        Objects.requireNonNull(client, "client == null"),
        fetchesSnapshots,
        Objects.requireNonNull(listener, "listener == null"));
  }

  /**
   * The client an endpoint builds from {@value WebhookConfig.Keys#API_KEY}: its requests run in a
   * delivery's request thread (a fetch for a snapshot-typed handler in {@code sync} processing),
   * so, unlike stripe-java's defaults (30 s to connect, 80 s to read), connecting and each read
   * wait at most {@code timeout} (the endpoint's {@value WebhookConfig.Keys#BODY_TIMEOUT}, 10 s by
   * default), a failed request is not repeated (the attempt fails with 500, and Stripe's redelivery
   * or the workers' backoff retries it), and an answer longer than {@code maxAnswer} bytes (the
   * endpoint's {@value WebhookConfig.Keys#MAX_BODY}: an object no larger than a snapshot delivery
   * could carry) is not read but fails the request.
   *
   * @param apiKey the API key (a secret: never logged)
   * @param timeout the longest wait to connect and for each read, at least a millisecond
   * @param maxAnswer the most bytes of an answer read, at least 1
   */
  public static StripeClient client(String apiKey, Duration timeout, int maxAnswer) {
    return client(apiKey, timeout, maxAnswer, Stripe.LIVE_API_BASE);
  }

  /** {@link #client(String, Duration, int)} against {@code apiBase} (tests: a local server). */
  static StripeClient client(String apiKey, Duration timeout, int maxAnswer, String apiBase) {
    Objects.requireNonNull(apiKey, "apiKey == null");
    if (maxAnswer < 1) {
      throw new IllegalArgumentException("maxAnswer < 1: " + maxAnswer);
    }
    int millis = (int) Math.min(Integer.MAX_VALUE, Math.max(1, timeout.toMillis()));
    return StripeClient.builder()
        .setApiKey(apiKey)
        .setApiBase(apiBase)
        .setConnectTimeout(millis)
        .setReadTimeout(millis)
        .setMaxNetworkRetries(0)
        .setHttpClient(
            new BoundedHttpClient(
                maxAnswer,
                apiBase,
                Stripe.CONNECT_API_BASE,
                Stripe.UPLOAD_API_BASE,
                Stripe.METER_EVENTS_API_BASE))
        .build();
  }

  /**
   * stripe-java's HTTP client, sending only to Stripe's hosts (those of the client's bases) and
   * reading at most {@code max} bytes of an answer. stripe-java appends a path to its base as it
   * stands, and a thin notification's {@code related_object.url} (which {@code
   * fetchRelatedObject()} requests) comes from the payload: "@host/..." there would name another
   * host, which would receive the API key. A payload signed with a leaked webhook secret must not
   * yield the API key.
   */
  private static final class BoundedHttpClient extends HttpURLConnectionClient {
    private final int max;
    private final Set<String> origins;

    BoundedHttpClient(int max, String... bases) {
      this.max = max;
      Set<String> known = new HashSet<>();
      for (String base : bases) {
        try {
          known.add(origin(new URL(base)));
        } catch (MalformedURLException e) {
          throw new IllegalArgumentException("not a URL: " + base, e);
        }
      }
      this.origins = Set.copyOf(known);
    }

    private static String origin(URL url) {
      int port = url.getPort() == -1 ? url.getDefaultPort() : url.getPort();
      return url.getProtocol().toLowerCase(Locale.ROOT)
          + "://"
          + url.getHost().toLowerCase(Locale.ROOT)
          + ":"
          + port
          + (url.getUserInfo() == null ? "" : " with user info");
    }

    @Override
    public StripeResponseStream requestStream(StripeRequest request) throws ApiConnectionException {
      if (!origins.contains(origin(request.url()))) {
        throw new ApiConnectionException(
            "Not sent: the request's URL names another host than Stripe's API (a path of a"
                + " notification or answer that is not one of Stripe's)");
      }
      return super.requestStream(request);
    }

    @Override
    public StripeResponse request(StripeRequest request) throws ApiConnectionException {
      StripeResponseStream stream = requestStream(request);
      try (InputStream in = stream.body()) {
        byte[] bytes = in.readNBytes(max + 1);
        if (bytes.length > max) {
          throw new ApiConnectionException(
              "Stripe's API answered more than " + max + " bytes (HTTP " + stream.code() + ")");
        }
        return new StripeResponse(
            stream.code(), stream.headers(), new String(bytes, StandardCharsets.UTF_8));
      } catch (IOException e) {
        throw new ApiConnectionException(
            "Reading the answer of Stripe's API failed (" + e.getClass().getSimpleName() + ")", e);
      }
    }
  }

  /** The client thin notifications are bound to; empty when no API key is configured. */
  public Optional<StripeClient> client() {
    return Optional.ofNullable(client);
  }

  /** Whether thin events' related API v1 objects are fetched for snapshot-typed code. */
  public boolean fetchesSnapshots() {
    return fetchesSnapshots;
  }

  /** Told of each fetch of a thin event's related object for snapshot-typed code. */
  @FunctionalInterface
  public interface FetchListener {
    /** One fetch ended: whether it gave an object, and how long it took. */
    void fetched(boolean succeeded, long nanos);
  }

  /**
   * GETs {@code url} (a path of Stripe's API) as stripe-java's {@code
   * EventNotification.fetchRelatedObject} does: with the {@code Stripe-Context} of the notification
   * and the event as the request's trigger; the answer deserialized by stripe-java.
   *
   * @throws ThinEventFetchException when the request or its answer fails
   */
  StripeObject fetch(String eventId, String url, String context) {
    long started = System.nanoTime();
    boolean succeeded = false;
    // The id comes from the signed payload, unchecked: one line in any log the message reaches.
    String event = LogText.escape(eventId);
    try {
      RawRequestOptions.RawRequestOptionsBuilder options =
          RawRequestOptions.builder().setStripeRequestTrigger("event=" + eventId);
      if (context != null) {
        options.setStripeContext(context);
      }
      StripeResponse response = client.rawRequest(RequestMethod.GET, url, null, options.build());
      StripeObject object = client.deserialize(response.body(), ApiMode.getMode(url));
      succeeded = object != null;
      if (object == null) {
        throw new ThinEventFetchException(
            "Event " + event + ": Stripe's API answered " + url + " with nothing", null);
      }
      return object;
    } catch (StripeException e) {
      throw new ThinEventFetchException(
          "Event "
              + event
              + ": fetching "
              + url
              + " from Stripe's API failed ("
              + e.getClass().getSimpleName()
              + (e.getStatusCode() == null ? "" : ", HTTP " + e.getStatusCode())
              + ")",
          e);
    } catch (RuntimeException e) {
      if (e instanceof ThinEventFetchException fetchFailure) {
        throw fetchFailure;
      }
      throw new ThinEventFetchException(
          "Event "
              + event
              + ": the answer of Stripe's API to "
              + url
              + " could not be read ("
              + e.getClass().getSimpleName()
              + ")",
          e);
    } finally {
      listener.fetched(succeeded, System.nanoTime() - started);
    }
  }
}
