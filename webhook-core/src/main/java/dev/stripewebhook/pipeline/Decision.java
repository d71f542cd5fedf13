// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.pipeline;

import dev.stripewebhook.Reason;
import dev.stripewebhook.VerifiedEvent;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@link WebhookEndpoint#deliver} decided for one delivery: the status to answer, the reason
 * code or the outcome, and the body. A door renders it and decides nothing itself. The body never
 * holds a secret, a signature or an exception's text.
 *
 * @since 0.1
 */
public final class Decision {
  private static final byte[] RECEIVED = "{\"received\":true}".getBytes(StandardCharsets.UTF_8);

  private final int status;
  private final Reason reason;
  private final String outcome;
  private final String detail;
  private final VerifiedEvent event;
  private final boolean processingAnswers;
  private final byte[] bytes;

  private Decision(
      int status,
      Reason reason,
      String outcome,
      String detail,
      VerifiedEvent event,
      boolean processingAnswers) {
    this.status = status;
    this.reason = reason;
    this.outcome = outcome;
    this.detail = detail;
    this.event = event;
    this.processingAnswers = processingAnswers;
    this.bytes =
        reason == null
            ? RECEIVED
            : ProblemJson.of(status, reason.code(), reason.title(), detail)
                .getBytes(StandardCharsets.UTF_8);
  }

  static Decision accepted(VerifiedEvent event, String outcome) {
    return new Decision(200, null, outcome, null, event, false);
  }

  static Decision refused(Reason reason, String detail, VerifiedEvent event) {
    return new Decision(
        reason.status(), reason, reason.code(), Objects.requireNonNull(detail), event, false);
  }

  /**
   * A refusal a door decides itself, for what only it can see (a JAX-RS parameter the event cannot
   * fill); everything else is decided by {@link WebhookEndpoint}.
   */
  public static Decision refusal(Reason reason, String detail) {
    return refused(reason, detail, null);
  }

  /** The processing behind (pass-down) answered {@code status} itself, and it is recorded. */
  static Decision answeredByProcessing(VerifiedEvent event, int status) {
    return new Decision(
        status, null, status >= 200 && status <= 299 ? "done" : "failed", null, event, true);
  }

  /** The HTTP status to answer. */
  public int status() {
    return status;
  }

  /** Why it was refused; empty when it was accepted or answered by the processing. */
  public Optional<Reason> reason() {
    return Optional.ofNullable(reason);
  }

  /**
   * A word for logs and metrics: the reason code when refused, else what happened ({@code done},
   * {@code duplicate}, {@code stored}, {@code superseded}, {@code failed}...).
   */
  public String outcome() {
    return outcome;
  }

  /** The verified event, when the delivery verified. */
  public Optional<VerifiedEvent> event() {
    return Optional.ofNullable(event);
  }

  /**
   * Whether the processing behind the door (the servlet behind the filter, a JAX-RS resource) wrote
   * the answer, which the door now lets through unchanged; otherwise the door writes {@link
   * #body()}.
   */
  public boolean processingAnswers() {
    return processingAnswers;
  }

  /** The media type of {@link #body()}. */
  public String contentType() {
    return reason == null ? "application/json" : ProblemJson.MEDIA_TYPE;
  }

  /** {@code {"received":true}} when accepted; a problem+json with the reason code otherwise. */
  public byte[] body() {
    return bytes.clone();
  }

  /** The length of {@link #body()} in bytes. */
  public int bodyLength() {
    return bytes.length;
  }

  /** Writes {@link #body()} to {@code out}, without the copy {@link #body()} makes. */
  public void writeBody(OutputStream out) throws IOException {
    out.write(bytes);
  }

  /** A safe detail of a refusal, as in the problem body; null when accepted. */
  public String detail() {
    return detail;
  }

  @Override
  public String toString() {
    return "Decision[" + status + " " + outcome + "]";
  }
}
