// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.admin;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import dev.stripewebhook.inbox.EventPage;
import dev.stripewebhook.inbox.EventSummary;
import dev.stripewebhook.inbox.InboxBacklog;
import dev.stripewebhook.inbox.InboxRecord;
import dev.stripewebhook.inbox.InboxStatus;
import dev.stripewebhook.inbox.ProcessingAttempt;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The JSON API's documents, written with Gson; times are ISO-8601 instants, absent ones null. */
final class AdminJson {
  private static final Gson GSON = new GsonBuilder().serializeNulls().create();

  private AdminJson() {}

  static String write(JsonElement json) {
    return GSON.toJson(json);
  }

  /** {@code {"events": [...], "next": cursor or null}}. */
  static JsonObject page(EventPage page) {
    JsonArray events = new JsonArray();
    for (EventSummary event : page.events()) {
      events.add(summary(event));
    }
    JsonObject json = new JsonObject();
    json.add("events", events);
    json.add("next", string(page.next()));
    return json;
  }

  static JsonObject summary(EventSummary event) {
    JsonObject json = new JsonObject();
    json.addProperty("id", event.eventId());
    json.addProperty("type", event.type());
    json.addProperty("status", event.status().code());
    json.addProperty("livemode", event.livemode());
    json.add("account", string(event.account()));
    json.add("dataObjectId", string(event.dataObjectId()));
    json.add("created", time(event.created()));
    json.add("receivedAt", time(event.receivedAt()));
    json.add("handledAt", time(event.handledAt()));
    json.addProperty("attemptsSinceReplay", event.attempts());
    json.add("lastError", string(event.lastError()));
    return json;
  }

  /**
   * One event: its state, its delivery (the signature without its values), the attempts, the other
   * events about its object and the payload. {@code attempts} counts the times its handlers ran,
   * across replays.
   */
  static JsonObject event(
      InboxRecord record, List<ProcessingAttempt> attempts, List<EventSummary> sameObject) {
    JsonObject json = new JsonObject();
    json.addProperty("id", record.eventId());
    json.addProperty("type", record.type());
    json.addProperty("status", record.status().code());
    json.addProperty("attempts", attempts.stream().filter(ProcessingAttempt::ranHandlers).count());
    json.addProperty("attemptsSinceReplay", record.attempts());
    json.addProperty("livemode", record.livemode());
    json.add("account", string(record.account()));
    json.add("apiVersion", string(record.apiVersion()));
    json.add("dataObjectId", string(record.dataObjectId()));
    json.add("created", time(record.created()));
    json.add("receivedAt", time(record.receivedAt()));
    json.add("handledAt", time(record.handledAt()));
    json.add(
        "nextAttemptAt",
        record.status().isPending() ? time(record.nextAttemptAt()) : JsonNull.INSTANCE);
    json.add("lastError", string(record.lastError()));
    JsonObject delivery = new JsonObject();
    delivery.addProperty("signature", Html.redactSignature(record.signatureHeader()));
    delivery.add("clientAddress", string(record.clientAddress()));
    json.add("delivery", delivery);
    JsonArray history = new JsonArray();
    for (ProcessingAttempt attempt : attempts) {
      JsonObject item = new JsonObject();
      item.addProperty("number", attempt.number());
      item.addProperty("owner", attempt.owner());
      item.add("startedAt", time(attempt.startedAt()));
      item.add("finishedAt", time(attempt.finishedAt()));
      item.add(
          "outcome",
          string(
              attempt.outcome() == null
                  ? null
                  : attempt.outcome().name().toLowerCase(Locale.ROOT)));
      item.add("error", string(attempt.error()));
      history.add(item);
    }
    json.add("attemptHistory", history);
    JsonArray others = new JsonArray();
    for (EventSummary other : sameObject) {
      others.add(summary(other));
    }
    json.add("sameObject", others);
    json.add("payload", payload(record.body()));
    return json;
  }

  /** {@code {"counts": {"received": n, ...}, "backlog": {"events": n, "oldestReceivedAt": t}}}. */
  static JsonObject counts(Map<InboxStatus, Long> counts, InboxBacklog backlog) {
    JsonObject byStatus = new JsonObject();
    counts.forEach((status, count) -> byStatus.addProperty(status.code(), count));
    JsonObject pending = new JsonObject();
    pending.addProperty("events", backlog.events());
    pending.add("oldestReceivedAt", time(backlog.oldestReceivedAt()));
    JsonObject json = new JsonObject();
    json.add("counts", byStatus);
    json.add("backlog", pending);
    return json;
  }

  static JsonObject error(int status, String message) {
    JsonObject json = new JsonObject();
    json.addProperty("status", status);
    json.addProperty("error", message);
    return json;
  }

  /** The stored body as JSON, or null when it was not kept (or is not JSON). */
  private static JsonElement payload(byte[] body) {
    if (body.length == 0) {
      return JsonNull.INSTANCE;
    }
    try {
      return JsonParser.parseString(new String(body, StandardCharsets.UTF_8));
    } catch (JsonParseException e) {
      return JsonNull.INSTANCE;
    }
  }

  static JsonElement string(String value) {
    return value == null ? JsonNull.INSTANCE : new JsonPrimitive(value);
  }

  static JsonElement time(Instant instant) {
    return instant == null ? JsonNull.INSTANCE : new JsonPrimitive(instant.toString());
  }
}
