// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.benchmarks.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * Sends a request that declares a body far over the filter's limit (50 MB against 1 MiB), with only
 * its first 64 KiB, and reads the status: a filter that buffered the body would wait for the rest,
 * or allocate it.
 */
final class OversizeProbe {
  static final long DECLARED = 50L * 1024 * 1024;
  private static final int SENT = 64 * 1024;

  private OversizeProbe() {}

  /** The answer's status and the server side's allocation while it was refused. */
  record Outcome(int status, long serverBytes) {}

  static Outcome send(int port, String path) throws IOException, InterruptedException {
    long before = Allocations.serverSide();
    int status;
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      String head =
          "POST "
              + path
              + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
              + "Content-Type: application/json\r\nContent-Length: "
              + DECLARED
              + "\r\n"
              + "Stripe-Signature: t=1,v1="
              + "0".repeat(64)
              + "\r\n\r\n";
      out.write(head.getBytes(StandardCharsets.US_ASCII));
      out.write(new byte[SENT]);
      out.flush();
      status = readStatus(socket.getInputStream());
    }
    Thread.sleep(200); // let the server finish with the connection
    return new Outcome(status, Allocations.serverSide() - before);
  }

  private static int readStatus(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    for (int c = in.read(); c != -1 && c != '\n'; c = in.read()) {
      line.append((char) c);
    }
    String[] parts = line.toString().split(" ");
    if (parts.length < 2) {
      throw new IOException("no status line: " + line);
    }
    return Integer.parseInt(parts[1]);
  }
}
