// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.Arrays;

/**
 * Reads an {@link EventEnvelope} straight from the UTF-8 bytes of a body, in one forward scan: it
 * decodes the top-level members it needs, descends only into {@code data}, {@code data.object} and
 * {@code related_object}, and steps over every other value byte by byte, checking its syntax
 * without turning it into chars.
 *
 * <p>It accepts and rejects exactly what the reader it replaced did: Gson's {@code JsonReader} in
 * {@code Strictness.STRICT} over an {@code InputStreamReader} decoding UTF-8 (Gson 2.13). That
 * reader's edges are kept on purpose, so that no body changes from accepted to rejected or back:
 *
 * <ul>
 *   <li>a leading byte order mark is skipped;
 *   <li>invalid UTF-8 inside a string becomes U+FFFD (the decoder replaced it), and outside one is
 *       a syntax error;
 *   <li>an unescaped control character (U+0000 to U+001F) is rejected in a string that is read (a
 *       member name of an object that is read, or a value that is read) and let through in a
 *       skipped one (Gson checks only the former);
 *   <li>at most 255 nested arrays and objects, Gson's default nesting limit;
 *   <li>a number token of 1,024 characters or more is rejected (Gson's buffer), and so is the rare
 *       integer whose digits make Gson's overflowing accumulator reach 0 before its last digit;
 *   <li>a {@code created} number is read as Gson's {@code nextLong()} does: exact integers, and
 *       decimals or exponents whose double value is an exact long;
 *   <li>a duplicate member is read again and the last one wins, member by member.
 * </ul>
 *
 * <p>Not thread safe: one instance per body.
 */
final class EnvelopeReader {
  /** Gson's default {@code JsonReader} nesting limit. */
  private static final int NESTING_LIMIT = 255;

  /** Gson's {@code JsonReader} buffer: a longer number token is not read as a number. */
  private static final int MAX_NUMBER_LENGTH = 1024;

  private static final String NOT_JSON = "the body is not one well-formed JSON object";
  private static final String NOT_EVENT = "its \"object\" is not \"event\" or \"v2.core.event\"";
  private static final String NO_ID_OR_TYPE = "it has no string \"id\" or \"type\"";
  private static final String NOT_A_TIME = "its \"created\" is not a time";

  private static final String[] TOP = {
    "id",
    "object",
    "type",
    "created",
    "livemode",
    "account",
    "api_version",
    "data",
    "related_object",
    "context"
  };
  private static final int ID = 0;
  private static final int OBJECT = 1;
  private static final int TYPE = 2;
  private static final int CREATED = 3;
  private static final int LIVEMODE = 4;
  private static final int ACCOUNT = 5;
  private static final int API_VERSION = 6;
  private static final int DATA = 7;
  private static final int RELATED_OBJECT = 8;
  private static final int CONTEXT = 9;

  /** The names read inside {@code data}, {@code data.object} and {@code related_object}. */
  private static final String[] NESTED = {"id", "object"};

  private static final String[] LIVEMODE_ONLY = {"livemode"};

  private static final byte[][] TOP_BYTES = bytes(TOP);
  private static final byte[][] NESTED_BYTES = bytes(NESTED);
  private static final byte[][] LIVEMODE_ONLY_BYTES = bytes(LIVEMODE_ONLY);

  private static final int TRUE = 1;
  private static final int FALSE = 2;
  private static final int NULL = 3;
  private static final int NUMBER = 4;

  // Gson's peekNumber states
  private static final int NUMBER_CHAR_NONE = 0;
  private static final int NUMBER_CHAR_SIGN = 1;
  private static final int NUMBER_CHAR_DIGIT = 2;
  private static final int NUMBER_CHAR_DECIMAL = 3;
  private static final int NUMBER_CHAR_FRACTION_DIGIT = 4;
  private static final int NUMBER_CHAR_EXP_E = 5;
  private static final int NUMBER_CHAR_EXP_SIGN = 6;
  private static final int NUMBER_CHAR_EXP_DIGIT = 7;
  private static final long MIN_INCOMPLETE_INTEGER = Long.MIN_VALUE / 10;

  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long QUOTES = 0x0101010101010101L * '"';
  private static final long BACKSLASHES = 0x0101010101010101L * '\\';
  private static final long SPACES = 0x0101010101010101L * ' ';
  private static final long CONTROLS = 0x0101010101010101L * 0x20;

  private final byte[] b;
  private final int end;
  private int pos;
  private int depth;

  /** The last number token: its start, and its value when it is an integer that fits a long. */
  private int numberStart;

  private boolean numberIsLong;
  private long numberValue;

  /** Whether the string last scanned by {@link #closingQuote} has an escape. */
  private boolean escapes;

  private String id;
  private String object;
  private String type;
  private Instant created;
  private Boolean livemode;
  private String account;
  private String apiVersion;
  private String dataObjectId;
  private String dataObjectType;
  private String relatedObjectId;
  private String context;

  /**
   * Where the value of the last {@code data.object} starts (its '{'), and its {@code object}: what
   * a tree of the body (stripe-java's) holds as {@code data.object}, duplicates and all; -1 and
   * null when that is not an object.
   */
  private int boundStart = -1;

  private String boundType;

  private EnvelopeReader(byte[] body) {
    this.b = body;
    this.end = body.length;
  }

  /** See {@link EventEnvelope#read(byte[])}. */
  static EventEnvelope read(byte[] body) throws WebhookVerificationException {
    return new EnvelopeReader(body).envelope();
  }

  /** The verified event of {@code body}, its envelope read in one pass. */
  static VerifiedEvent verified(byte[] body, long signedAt, StripeApiAccess api)
      throws WebhookVerificationException {
    EnvelopeReader reader = new EnvelopeReader(body);
    EventEnvelope envelope = reader.envelope();
    return envelope.thin()
        ? new VerifiedEvent(body, signedAt, envelope, -1, null, api)
        : new VerifiedEvent(body, signedAt, envelope, reader.boundStart, reader.boundType, api);
  }

  /** See {@link EventEnvelope#peekLivemode(byte[])}. */
  static Boolean peekLivemode(byte[] body) {
    try {
      return new EnvelopeReader(body).livemodeOnly();
    } catch (WebhookVerificationException | RuntimeException e) {
      return null;
    }
  }

  private EventEnvelope envelope() throws WebhookVerificationException {
    skipByteOrderMark();
    beginObject();
    if (firstMember()) {
      do {
        int name = name(TOP, TOP_BYTES);
        colon();
        switch (name) {
          case ID -> id = nullableString();
          case OBJECT -> object = nullableString();
          case TYPE -> type = nullableString();
          case CREATED -> created = created();
          case LIVEMODE -> livemode = nullableBoolean();
          case ACCOUNT -> account = nullableString();
          case API_VERSION -> apiVersion = nullableString();
          case DATA -> data();
          case RELATED_OBJECT -> relatedObjectId = idOf();
          case CONTEXT -> context = nullableString();
          default -> skipValue();
        }
      } while (nextMember());
    }
    if (peek() != -1) {
      throw syntax("content after the JSON object");
    }
    if (!EventEnvelope.SNAPSHOT.equals(object) && !EventEnvelope.THIN.equals(object)) {
      throw malformed(NOT_EVENT);
    }
    if (id == null || id.isEmpty() || type == null || type.isEmpty()) {
      throw malformed(NO_ID_OR_TYPE);
    }
    boolean thin = EventEnvelope.THIN.equals(object);
    return new EventEnvelope(
        id,
        object,
        type,
        created,
        livemode,
        thin ? context : account,
        apiVersion,
        thin ? relatedObjectId : dataObjectId,
        thin ? null : dataObjectType);
  }

  /** The first boolean top-level {@code livemode}; the rest of the body is not checked. */
  private Boolean livemodeOnly() throws WebhookVerificationException {
    skipByteOrderMark();
    beginObject();
    if (firstMember()) {
      do {
        int name = name(LIVEMODE_ONLY, LIVEMODE_ONLY_BYTES);
        colon();
        int c = peek();
        if (name == 0 && (c == 't' || c == 'f')) {
          return literal() == TRUE;
        }
        skipValue();
      } while (nextMember());
    }
    return null;
  }

  /**
   * {@code {"object": {"id": ..., "object": ...}}}: the data object's id and type, and where it
   * starts.
   */
  private void data() throws WebhookVerificationException {
    boundStart = -1; // a later "data" replaces an earlier one in a tree
    boundType = null;
    if (peek() != '{') {
      skipValue();
      return;
    }
    beginObject();
    if (!firstMember()) {
      return;
    }
    do {
      int name = name(NESTED, NESTED_BYTES);
      colon();
      if (name == 1) {
        boundStart = -1;
        boundType = null;
      }
      if (name != 1 || peek() != '{') {
        skipValue();
        continue;
      }
      int start = pos;
      String type = null;
      beginObject();
      if (firstMember()) {
        do {
          int member = name(NESTED, NESTED_BYTES);
          colon();
          switch (member) {
            case 0 -> dataObjectId = nullableString();
            case 1 -> type = dataObjectType = nullableString();
            default -> skipValue();
          }
        } while (nextMember());
      }
      boundStart = start;
      boundType = type;
    } while (nextMember());
  }

  /** The {@code id} of {@code {"id": ...}}, or {@code null}. */
  private String idOf() throws WebhookVerificationException {
    if (peek() != '{') {
      skipValue();
      return null;
    }
    String found = null;
    beginObject();
    if (firstMember()) {
      do {
        int name = name(NESTED, NESTED_BYTES);
        colon();
        if (name == 0) {
          found = nullableString();
        } else {
          skipValue();
        }
      } while (nextMember());
    }
    return found;
  }

  private String nullableString() throws WebhookVerificationException {
    if (peek() == '"') {
      return string();
    }
    skipValue();
    return null;
  }

  private Boolean nullableBoolean() throws WebhookVerificationException {
    int c = peek();
    if (c == 't' || c == 'f') {
      return literal() == TRUE;
    }
    skipValue();
    return null;
  }

  /** {@code created} is unix seconds in v1 events and an RFC 3339 string in thin ones. */
  private Instant created() throws WebhookVerificationException {
    int c = peek();
    try {
      if (c == '"') {
        return Instant.parse(string());
      }
      if (c == '-' || (c >= '0' && c <= '9')) {
        literal();
        return Instant.ofEpochSecond(numberIsLong ? numberValue : exactLong());
      }
    } catch (DateTimeException | NumberFormatException e) {
      // beyond Instant's range (99999999999999999), not an integer, not RFC 3339
      throw malformed(NOT_A_TIME);
    }
    skipValue();
    return null;
  }

  /** Gson's {@code nextLong()} on a number that is not a plain long: its double, if exact. */
  private long exactLong() {
    String text = new String(b, numberStart, pos - numberStart, ISO_8859_1);
    double asDouble = Double.parseDouble(text);
    long result = (long) asDouble;
    if (result != asDouble) {
      throw new NumberFormatException("not a long: " + text);
    }
    return result;
  }

  // ---- structure

  private void skipByteOrderMark() {
    if (end >= 3 && b[0] == (byte) 0xEF && b[1] == (byte) 0xBB && b[2] == (byte) 0xBF) {
      pos = 3;
    }
  }

  /**
   * The next byte that is not JSON whitespace, not consumed; -1 at the end of the body. Stripe
   * indents its bodies by two spaces a level, so runs of spaces are stepped over eight at a time.
   */
  private int peek() {
    int p = pos;
    while (p < end) {
      int c = b[p] & 0xFF;
      if (c > ' ') {
        pos = p;
        return c;
      }
      if (c == ' ' && p + Long.BYTES <= end) {
        long other = (long) LONGS.get(b, p) ^ SPACES;
        p += other == 0 ? Long.BYTES : Long.numberOfTrailingZeros(other) >>> 3;
      } else if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
        p++;
      } else {
        pos = p;
        return c;
      }
    }
    pos = p;
    return -1;
  }

  private void beginObject() throws WebhookVerificationException {
    if (peek() != '{') {
      throw syntax("expected '{'");
    }
    pos++;
    push();
  }

  private void push() throws WebhookVerificationException {
    if (depth >= NESTING_LIMIT) {
      throw syntax("more than " + NESTING_LIMIT + " nested arrays and objects");
    }
    depth++;
  }

  /** After '{': whether a first member follows (at its name), or the object ends ('}' read). */
  private boolean firstMember() throws WebhookVerificationException {
    int c = peek();
    if (c == '}') {
      pos++;
      depth--;
      return false;
    }
    if (c != '"') {
      throw syntax("expected a member name");
    }
    return true;
  }

  /** After a member's value: whether another member follows (at its name), or '}' was read. */
  private boolean nextMember() throws WebhookVerificationException {
    int c = peek();
    if (c == ',') {
      pos++;
      if (peek() != '"') {
        throw syntax("expected a member name");
      }
      return true;
    }
    if (c == '}') {
      pos++;
      depth--;
      return false;
    }
    throw syntax("expected ',' or '}'");
  }

  private void colon() throws WebhookVerificationException {
    if (peek() != ':') {
      throw syntax("expected ':'");
    }
    pos++;
  }

  /** Steps over the value at the next token, checking its syntax but decoding nothing. */
  private void skipValue() throws WebhookVerificationException {
    switch (peek()) {
      case '{' -> {
        pos++;
        push();
        if (firstMember()) {
          do {
            skipString();
            colon();
            skipValue();
          } while (nextMember());
        }
      }
      case '[' -> {
        pos++;
        push();
        if (peek() == ']') {
          pos++;
          depth--;
          return;
        }
        while (true) {
          skipValue();
          int c = peek();
          if (c == ']') {
            pos++;
            depth--;
            return;
          }
          if (c != ',') {
            throw syntax("expected ',' or ']'");
          }
          pos++;
        }
      }
      case '"' -> skipString();
      default -> literal();
    }
  }

  // ---- strings

  /**
   * The index in {@code names} of the member name at the next token ('"'), or -1. The name is read
   * as a string is: escapes decoded, control characters rejected.
   */
  private int name(String[] names, byte[][] nameBytes) throws WebhookVerificationException {
    int start = pos + 1;
    int close = closingQuote(start);
    pos = close + 1;
    if (escapes) {
      String name = decode(start, close);
      for (int i = 0; i < names.length; i++) {
        if (names[i].equals(name)) {
          return i;
        }
      }
      return -1;
    }
    int length = close - start;
    for (int i = 0; i < nameBytes.length; i++) {
      byte[] candidate = nameBytes[i];
      if (candidate.length == length && Arrays.equals(b, start, close, candidate, 0, length)) {
        return i;
      }
    }
    return -1;
  }

  /** The string at the next token ('"'), decoded. */
  private String string() throws WebhookVerificationException {
    int start = pos + 1;
    int close = closingQuote(start);
    pos = close + 1;
    return escapes ? decode(start, close) : new String(b, start, close - start, UTF_8);
  }

  /**
   * Steps over the string at the next token ('"'); control characters pass, as in Gson. Most of a
   * body is such strings, so this looks for quotes and backslashes eight bytes at a time.
   */
  private void skipString() throws WebhookVerificationException {
    int p = pos + 1;
    while (true) {
      p = special(p, false);
      if (p >= end) {
        pos = p;
        throw syntax("unterminated string");
      }
      byte c = b[p];
      if (c == '"') {
        pos = p + 1;
        return;
      }
      p = c == '\\' ? escape(p + 1) : p + 1;
    }
  }

  /**
   * From {@code p} inside a string, eight bytes at a time: the index of the first quote or
   * backslash (with {@code controls}, or byte below 0x20), or of the first of the last seven bytes
   * of the body, which the caller reads one at a time.
   */
  private int special(int p, boolean controls) {
    while (p + Long.BYTES <= end) {
      long word = (long) LONGS.get(b, p);
      long found =
          bytesEqual(word, QUOTES)
              | bytesEqual(word, BACKSLASHES)
              | (controls ? bytesBelow(word, CONTROLS) : 0);
      if (found != 0) {
        return p + (Long.numberOfTrailingZeros(found) >>> 3);
      }
      p += Long.BYTES;
    }
    return p;
  }

  /**
   * A mask with the high bit set in the lowest byte of {@code word} equal to the byte repeated in
   * {@code pattern} (higher bytes may be flagged falsely, the lowest flagged one is exact), or 0
   * when no byte is equal.
   */
  private static long bytesEqual(long word, long pattern) {
    long x = word ^ pattern;
    return (x - 0x0101010101010101L) & ~x & 0x8080808080808080L;
  }

  /**
   * As {@link #bytesEqual}, for the bytes of {@code word} below the byte repeated in {@code bound}
   * (at most 0x80); bytes from 0x80 up, which UTF-8 uses past ASCII, are never below it.
   */
  private static long bytesBelow(long word, long bound) {
    return (word - bound) & ~word & 0x8080808080808080L;
  }

  /**
   * The index of the quote closing the string, to be read, whose content starts at {@code p}. Looks
   * for quotes, backslashes and control characters eight bytes at a time.
   */
  private int closingQuote(int p) throws WebhookVerificationException {
    boolean escaped = false;
    while (true) {
      p = special(p, true);
      if (p >= end) {
        pos = p;
        throw syntax("unterminated string");
      }
      byte c = b[p];
      if (c == '"') {
        escapes = escaped;
        return p;
      }
      if (c == '\\') {
        escaped = true;
        p = escape(p + 1);
      } else if (c >= 0 && c < 0x20) {
        pos = p;
        throw syntax("unescaped control character in a string");
      } else {
        p++; // one of the body's last seven bytes
      }
    }
  }

  /** Checks the escape whose letter is at {@code p}; returns the index after it. */
  private int escape(int p) throws WebhookVerificationException {
    if (p >= end) {
      pos = p;
      throw syntax("unterminated escape sequence");
    }
    switch (b[p]) {
      case '"', '\\', '/', 'b', 'f', 'n', 'r', 't' -> {
        return p + 1;
      }
      case 'u' -> {
        if (p + 5 > end) {
          pos = p;
          throw syntax("unterminated escape sequence");
        }
        for (int i = p + 1; i < p + 5; i++) {
          if (hex(b[i]) < 0) {
            pos = p;
            throw syntax("malformed \\u escape");
          }
        }
        return p + 5;
      }
      default -> {
        pos = p;
        throw syntax("invalid escape sequence");
      }
    }
  }

  /** Decodes {@code [start, close)}, whose escapes {@link #escape} has checked. */
  private String decode(int start, int close) {
    StringBuilder decoded = new StringBuilder(close - start);
    int segment = start;
    int p = start;
    while (p < close) {
      if (b[p] != '\\') {
        p++;
        continue;
      }
      // invalid UTF-8 cut by an escape decodes the same in pieces: the decoder never takes an
      // ASCII byte into a malformed sequence
      decoded.append(new String(b, segment, p - segment, UTF_8));
      byte letter = b[p + 1];
      p += 2;
      switch (letter) {
        case 'b' -> decoded.append('\b');
        case 'f' -> decoded.append('\f');
        case 'n' -> decoded.append('\n');
        case 'r' -> decoded.append('\r');
        case 't' -> decoded.append('\t');
        case 'u' -> {
          decoded.append(
              (char) (hex(b[p]) << 12 | hex(b[p + 1]) << 8 | hex(b[p + 2]) << 4 | hex(b[p + 3])));
          p += 4;
        }
        default -> decoded.append((char) letter);
      }
      segment = p;
    }
    decoded.append(new String(b, segment, close - segment, UTF_8));
    return decoded.toString();
  }

  private static int hex(byte c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    return -1;
  }

  // ---- true, false, null and numbers

  /** Reads the literal at the next token; returns {@link #TRUE}, {@link #FALSE}... */
  private int literal() throws WebhookVerificationException {
    int c = peek();
    switch (c) {
      case 't' -> {
        return keyword("true", TRUE);
      }
      case 'f' -> {
        return keyword("false", FALSE);
      }
      case 'n' -> {
        return keyword("null", NULL);
      }
      default -> {
        if (c == '-' || (c >= '0' && c <= '9')) {
          number();
          return NUMBER;
        }
        throw syntax(c == -1 ? "unexpected end of the body" : "expected a value");
      }
    }
  }

  private int keyword(String keyword, int kind) throws WebhookVerificationException {
    int length = keyword.length();
    if (end - pos < length) {
      throw syntax("expected a value");
    }
    for (int i = 0; i < length; i++) {
      if (b[pos + i] != keyword.charAt(i)) {
        throw syntax("expected a value");
      }
    }
    int after = pos + length;
    if (after < end && !delimiter(b[after])) {
      throw syntax("expected a value");
    }
    pos = after;
    return kind;
  }

  /** Gson's {@code peekNumber}, on bytes: the same grammar and the same long accumulator. */
  private void number() throws WebhookVerificationException {
    int p = pos;
    long value = 0; // negative, to hold Long.MIN_VALUE
    boolean negative = false;
    boolean fitsInLong = true;
    int last = NUMBER_CHAR_NONE;
    int i = 0;
    scan:
    for (; p + i < end; i++) {
      if (i == MAX_NUMBER_LENGTH) {
        throw syntax("a number of " + MAX_NUMBER_LENGTH + " characters or more");
      }
      byte c = b[p + i];
      switch (c) {
        case '-' -> {
          if (last == NUMBER_CHAR_NONE) {
            negative = true;
            last = NUMBER_CHAR_SIGN;
          } else if (last == NUMBER_CHAR_EXP_E) {
            last = NUMBER_CHAR_EXP_SIGN;
          } else {
            throw syntax("malformed number");
          }
        }
        case '+' -> {
          if (last != NUMBER_CHAR_EXP_E) {
            throw syntax("malformed number");
          }
          last = NUMBER_CHAR_EXP_SIGN;
        }
        case 'e', 'E' -> {
          if (last != NUMBER_CHAR_DIGIT && last != NUMBER_CHAR_FRACTION_DIGIT) {
            throw syntax("malformed number");
          }
          last = NUMBER_CHAR_EXP_E;
        }
        case '.' -> {
          if (last != NUMBER_CHAR_DIGIT) {
            throw syntax("malformed number");
          }
          last = NUMBER_CHAR_DECIMAL;
        }
        default -> {
          if (c < '0' || c > '9') {
            if (delimiter(c)) {
              break scan;
            }
            throw syntax("malformed number");
          }
          if (last == NUMBER_CHAR_SIGN || last == NUMBER_CHAR_NONE) {
            value = -(c - '0');
            last = NUMBER_CHAR_DIGIT;
          } else if (last == NUMBER_CHAR_DIGIT) {
            if (value == 0) {
              throw syntax("a number with a leading zero");
            }
            long newValue = value * 10 - (c - '0');
            fitsInLong &=
                value > MIN_INCOMPLETE_INTEGER
                    || (value == MIN_INCOMPLETE_INTEGER && newValue < value);
            value = newValue;
          } else if (last == NUMBER_CHAR_DECIMAL) {
            last = NUMBER_CHAR_FRACTION_DIGIT;
          } else if (last == NUMBER_CHAR_EXP_E || last == NUMBER_CHAR_EXP_SIGN) {
            last = NUMBER_CHAR_EXP_DIGIT;
          }
        }
      }
    }
    if (i == MAX_NUMBER_LENGTH) {
      throw syntax("a number of " + MAX_NUMBER_LENGTH + " characters or more");
    }
    if (last != NUMBER_CHAR_DIGIT
        && last != NUMBER_CHAR_FRACTION_DIGIT
        && last != NUMBER_CHAR_EXP_DIGIT) {
      throw syntax("malformed number");
    }
    numberIsLong =
        last == NUMBER_CHAR_DIGIT
            && fitsInLong
            && (value != Long.MIN_VALUE || negative)
            && (value != 0 || !negative);
    numberValue = negative ? value : -value;
    numberStart = p;
    pos = p + i;
  }

  /** What ends a literal: Gson's non-literal characters, less those only lenient mode allows. */
  private static boolean delimiter(byte c) {
    return switch (c) {
      case '{', '}', '[', ']', ':', ',', ' ', '\t', '\f', '\r', '\n' -> true;
      default -> false;
    };
  }

  // ---- errors

  private WebhookVerificationException syntax(String what) {
    return malformed(NOT_JSON + " (" + what + " at byte " + pos + ")");
  }

  private static WebhookVerificationException malformed(String what) {
    return new WebhookVerificationException(
        Reason.MALFORMED_PAYLOAD,
        "The signature verified, but "
            + what
            + "; a Stripe event is a JSON object with an id,"
            + " an object of \"event\" or \"v2.core.event\", and a type.");
  }

  private static byte[][] bytes(String[] names) {
    byte[][] bytes = new byte[names.length][];
    for (int i = 0; i < names.length; i++) {
      bytes[i] = names[i].getBytes(ISO_8859_1);
    }
    return bytes;
  }
}
