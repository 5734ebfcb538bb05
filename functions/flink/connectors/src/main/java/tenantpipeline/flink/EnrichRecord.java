package tenantpipeline.flink;

import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.core.JsonFactory;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.core.JsonGenerator;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.core.JsonParser;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.core.JsonToken;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.core.util.BufferRecycler;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.table.annotation.DataTypeHint;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.binary.BinaryStringData;
import org.apache.flink.table.functions.ScalarFunction;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The SQL path's enrichment: one parse of each Kinesis record, with Jackson's streaming parser (the one
 * Flink ships), deciding whether the record is acceptable and printing what goes to its sink.
 *
 * <p>SQL: {@code enrich_record(line, rules)} returns {@code ROW<reason STRING, record STRING, tenant
 * STRING, tier STRING, size INT, received_at BIGINT>}: reason NULL, the enriched record, its tenant id (which
 * the SQL routes on, so it never reads the id back out of the record), its tier, its size (UTF-8 bytes) and its
 * receivedAt when that is an event time (an integer from 1 to maxReceivedAt, else NULL); or the reason, the
 * rejected record ({@code {"reason", "record", "timestamp", "tenantId", "receivedAt"}}, the raw record cut to a
 * length), the tenant, tier and event time its envelope names when it can be attributed (below), else NULL,
 * and size 0. The metering (MeteringOperator) reads tenant, tier, size and received_at: nothing is parsed twice.
 *
 * <p>Attribution of a reject, for metering: the record is one well-formed JSON object whose top-level tenant
 * id is a valid id, given once (a tier is taken when it is a string, given once). So a record rejected for
 * its payload, its size or a repeated field other than the tenant id counts against its tenant; a record
 * that is not JSON, names no valid tenant or names one twice counts against none. {@code rules} is a JSON literal that
 * functions/flink/sql.py writes from Python's rules and contracts (nothing here restates one): the
 * tenant id pattern, the record's fields in output order (the tenant id first, the payload last), the
 * output's field names, the limits and every reason's text. It is read once per task.
 *
 * <p>The checks decide in this order: size, depth (on the bytes, before any parse: RecordShape), JSON
 * object, repeated field, tenant id, payload, enriched size. The enriched record prints each field
 * on one line: each value's text as written (escapes and numbers too), without the whitespace between
 * tokens, and the tenant id decoded (a valid id needs no escapes). A record is JSON
 * only as RFC 8259 says, and whole: trailing text, a byte order mark or another encoding than UTF-8
 * makes it "not a JSON object".
 */
public final class EnrichRecord extends ScalarFunction {
    private static final long serialVersionUID = 1L;

    // The checks, by the names of their reasons in the rules (functions/flink/rules.py).
    private static final String[] CHECKS = {
        "RECORD_TOO_LARGE", "TOO_DEEP", "NOT_JSON_OBJECT", "DUPLICATE_FIELD", "MISSING_TENANT_ID",
        "INVALID_TENANT_ID", "MISSING_PAYLOAD", "PAYLOAD_NOT_OBJECT", "ENRICHED_TOO_LARGE",
    };
    static final int RECORD_TOO_LARGE = 0;
    static final int TOO_DEEP = 1;
    static final int NOT_JSON_OBJECT = 2;
    static final int DUPLICATE_FIELD = 3;
    static final int MISSING_TENANT_ID = 4;
    static final int INVALID_TENANT_ID = 5;
    static final int MISSING_PAYLOAD = 6;
    static final int PAYLOAD_NOT_OBJECT = 7;
    static final int ENRICHED_TOO_LARGE = 8;
    private static final int ACCEPTED = -1;

    private static final Pattern FIELD_NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_]*");

    /** The rules as last passed in; the arguments are literals, so this is built once per task. */
    private transient Rules rules;
    /** The rules argument last seen: a literal is the same object on every call, so one comparison. */
    private transient StringData rulesSeen;
    /** The accepted record's tenant id, decoded: a valid id needs no escapes, so it is printed plain. */
    private transient String tenantId;

    /** Built once per instance (they do not depend on the rules): the parser factory and the scratch bytes. */
    private transient JsonFactory json;
    private transient Bytes values;
    /** The last timestamp printed: records arrive many to a millisecond, so it is printed once for them. */
    private transient long printedMillis;
    private transient byte[] millisText;

    @Override
    public boolean isDeterministic() {
        return false; // reads the clock; also keeps the planner from calling it once per field of its result
    }

    /** The accepted record's tier, decoded (null when the envelope has none or it is not a string). */
    private transient String tier;
    /** The record's event time (an accepted record's in parse(), an attributed reject's in attribute()), or null. */
    private transient Long receivedAt;

    public @DataTypeHint(
            value = "ROW<reason STRING, record STRING, tenant STRING, tier STRING, size INT, received_at BIGINT>",
            bridgedTo = RowData.class) RowData eval(
            @DataTypeHint(value = "STRING", bridgedTo = StringData.class) StringData line,
            @DataTypeHint(value = "STRING", bridgedTo = StringData.class) StringData rulesJson) {
        long now = System.currentTimeMillis();
        Rules current = rules;
        if (rulesJson != rulesSeen) { // decoding ~1 kB of rules on every record would cost what a parse does
            String source = String.valueOf(rulesJson);
            if (current == null || !current.source.equals(source)) {
                current = new Rules(source);
                rules = current;
            }
            rulesSeen = rulesJson;
        }
        if (json == null) { // transient: null after deserialization, on the task
            json = new OwnRecyclerFactory();
            values = new Bytes();
        }
        int check = classify(line, current);
        if (check == ACCEPTED) {
            byte[] record = print(current, now);
            if (record.length <= current.maxEnrichedBytes) {
                return GenericRowData.of(
                        null,
                        StringData.fromBytes(record),
                        utf8(tenantId),
                        utf8(tier),
                        record.length,
                        receivedAt);
            }
            check = ENRICHED_TOO_LARGE;
        }
        return reject(current, check, line, now);
    }

    private int classify(StringData line, Rules current) {
        if (line == null) {
            return NOT_JSON_OBJECT;
        }
        if (utf8Length(line) > current.maxRecordBytes) {
            return RECORD_TOO_LARGE;
        }
        byte[] text = line.toBytes();
        if (RecordShape.nestsDeeperThan(text, current.maxDepth)) {
            return TOO_DEEP;
        }
        try {
            return parse(text, current);
        } catch (IOException | RuntimeException error) {
            // Not JSON (or not UTF-8): a reason, never an error that would stop the job for every tenant.
            return NOT_JSON_OBJECT;
        }
    }

    /**
     * The rejected record: the reason, the raw record (cut to a length that fits Firehose), the time, and the
     * tenant and event time it is attributed by (null when it is not: attribute()).
     */
    private RowData reject(Rules current, int check, StringData line, long now) {
        String reason = current.reasons[check];
        // A record past the size or depth limit is never read: counted against no tenant.
        boolean attributed =
                check != RECORD_TOO_LARGE && check != TOO_DEEP && line != null && attribute(line.toBytes(), current);
        String raw = line == null ? null : line.toString();
        if (raw != null && raw.codePointCount(0, raw.length()) > current.maxRejectedChars) {
            raw = raw.substring(0, raw.offsetByCodePoints(0, current.maxRejectedChars));
            reason = reason + current.truncatedNote;
        }
        Bytes out = values; // the parse's values are done with, and the result is copied out below
        out.reset();
        try (JsonGenerator generator = json.createGenerator(out)) {
            generator.writeStartObject();
            generator.writeStringField(current.rejectFields[0], reason);
            generator.writeStringField(current.rejectFields[1], raw);
            generator.writeNumberField(current.rejectFields[2], now);
            if (attributed) {
                generator.writeStringField(current.rejectFields[3], tenantId);
            } else {
                generator.writeNullField(current.rejectFields[3]);
            }
            if (attributed && receivedAt != null) {
                generator.writeNumberField(current.rejectFields[4], receivedAt);
            } else {
                generator.writeNullField(current.rejectFields[4]);
            }
            generator.writeEndObject();
        } catch (IOException error) {
            throw new IllegalStateException("cannot print a rejected record", error); // in memory: never
        }
        return GenericRowData.of(
                utf8(reason),
                StringData.fromBytes(Arrays.copyOf(out.buf, out.size)),
                attributed ? utf8(tenantId) : null,
                attributed ? utf8(tier) : null,
                0,
                attributed ? receivedAt : null);
    }

    /**
     * A result string as its UTF-8 bytes. StringData.fromString keeps the Java string and encodes it on first
     * use, with a thread-local buffer, and again in every copy the runtime makes (a row read by several
     * consumers is copied for each): the metering's consumers made that a tenth of the task's time.
     */
    private static StringData utf8(String text) {
        return text == null ? null : StringData.fromBytes(text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Whether {@code text} is one JSON object naming a valid tenant id once at its top level (the rule of
     * functions/flink/attribution.py); if so, {@code tenantId}, {@code tier} (a string given once, else null)
     * and {@code receivedAt} (the first one, when an integer from 1 to the bound, else null) hold its envelope.
     * Rejects only: each is read again here, token by token (nested values skipped, never built).
     */
    private boolean attribute(byte[] text, Rules current) {
        tenantId = null;
        tier = null;
        receivedAt = null;
        int tenants = 0;
        int tiers = 0;
        boolean receivedSeen = false;
        String tierText = null;
        try (JsonParser parser = json.createParser(text)) {
            if (!startsLikeUtf8Object(text) || parser.nextToken() != JsonToken.START_OBJECT) {
                return false;
            }
            JsonToken token;
            while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
                String name = parser.getCurrentName();
                int field = current.indexOf(name);
                JsonToken value = parser.nextToken();
                if (field == 0) {
                    tenants++;
                    tenantId = value == JsonToken.VALUE_STRING ? parser.getText() : null;
                } else if (field == current.tierIndex) {
                    tiers++;
                    tierText = value == JsonToken.VALUE_STRING ? parser.getText() : null;
                } else if (field == current.receivedAtIndex && !receivedSeen) {
                    receivedSeen = true;
                    if (value == JsonToken.VALUE_NUMBER_INT) {
                        receivedAt = eventTime(parser, current);
                    }
                }
                parser.skipChildren();
            }
            if (token != JsonToken.END_OBJECT || parser.nextToken() != null) {
                return false;
            }
        } catch (IOException | RuntimeException error) {
            return false;
        }
        if (tenants != 1 || tenantId == null || !current.tenantId.reset(tenantId).matches()) {
            tenantId = null;
            return false;
        }
        tier = tiers == 1 ? tierText : null;
        return true;
    }

    /** The integer the parser is on as an event time: from 1 to maxReceivedAt, else null. */
    private static Long eventTime(JsonParser parser, Rules current) throws IOException {
        if (parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
            return null;
        }
        long millis = parser.getLongValue();
        return millis >= 1 && millis <= current.maxReceivedAt ? millis : null;
    }

    private static int utf8Length(StringData line) {
        return line instanceof BinaryStringData ? ((BinaryStringData) line).getSizeInBytes() : line.toBytes().length;
    }

    /** Parse the record once: ACCEPTED (its fields' values copied into `values`), or the failed check. */
    private int parse(byte[] text, Rules current) throws IOException {
        if (!startsLikeUtf8Object(text)) {
            return NOT_JSON_OBJECT;
        }
        int[] start = current.start;
        int[] end = current.end;
        JsonToken[] kind = current.kind;
        Arrays.fill(kind, null);
        values.reset();
        tenantId = null;
        tier = null;
        receivedAt = null;
        boolean repeated = false;
        try (JsonParser parser = json.createParser(text)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return NOT_JSON_OBJECT;
            }
            JsonToken token;
            while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
                int field = current.indexOf(parser.getCurrentName());
                JsonToken value = parser.nextToken();
                if (field < 0 || kind[field] != null) {
                    repeated |= field >= 0;
                    parser.skipChildren(); // still read (and checked) token by token
                    continue;
                }
                kind[field] = value;
                int from = (int) parser.getTokenLocation().getByteOffset();
                if (value == JsonToken.START_OBJECT || value == JsonToken.START_ARRAY) {
                    parser.skipChildren(); // checks the value's text without building anything
                } else {
                    parser.finishToken();
                }
                start[field] = values.size;
                values.writeCompact(text, from, (int) parser.getCurrentLocation().getByteOffset());
                end[field] = values.size;
                if (field == 0 && value == JsonToken.VALUE_STRING) {
                    tenantId = parser.getText();
                } else if (field == current.tierIndex && value == JsonToken.VALUE_STRING) {
                    tier = parser.getText();
                } else if (field == current.receivedAtIndex && value == JsonToken.VALUE_NUMBER_INT) {
                    receivedAt = eventTime(parser, current);
                }
            }
            if (token != JsonToken.END_OBJECT || parser.nextToken() != null) {
                return NOT_JSON_OBJECT; // (the parser throws first on most broken text)
            }
        }
        return repeated ? DUPLICATE_FIELD : checkFields(tenantId, current);
    }

    private static int checkFields(String tenantId, Rules current) {
        JsonToken[] kind = current.kind;
        if (kind[0] == null || kind[0] == JsonToken.VALUE_NULL) {
            return MISSING_TENANT_ID;
        }
        if (tenantId == null || !current.tenantId.reset(tenantId).matches()) {
            return INVALID_TENANT_ID;
        }
        JsonToken payload = kind[kind.length - 1];
        if (payload == null || payload == JsonToken.VALUE_NULL) {
            return MISSING_PAYLOAD;
        }
        if (payload != JsonToken.START_OBJECT) {
            return PAYLOAD_NOT_OBJECT;
        }
        return ACCEPTED;
    }

    /**
     * Jackson guesses UTF-16 or UTF-32 from zero bytes at the start and skips a byte order mark; JSON on
     * Kinesis is UTF-8 and starts with whitespace or the object's brace. Anything else is not a record.
     */
    private static boolean startsLikeUtf8Object(byte[] text) {
        for (int i = 0; i < Math.min(4, text.length); i++) {
            if (text[i] == 0) {
                return false;
            }
        }
        for (byte c : text) {
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                return c == '{';
            }
        }
        return false;
    }

    /** The enriched record: each field in order (null when absent), then the timestamp. */
    private byte[] print(Rules current, long now) {
        if (millisText == null || now != printedMillis) {
            millisText = Long.toString(now).getBytes(StandardCharsets.US_ASCII);
            printedMillis = now;
        }
        byte[] millis = millisText;
        int count = current.names.length;
        int length = 1 + current.timestampKey.length + millis.length + 1 + count; // { key millis } and commas
        length += current.keys[0].length + tenantId.length() + 2;
        for (int field = 1; field < count; field++) {
            length += current.keys[field].length
                    + (current.kind[field] == null ? NULL.length : current.end[field] - current.start[field]);
        }
        byte[] record = new byte[length];
        record[0] = '{';
        int at = 1;
        for (int field = 0; field < count; field++) {
            at = put(record, at, current.keys[field], 0, current.keys[field].length);
            if (field == 0) {
                record[at++] = '"';
                for (int i = 0; i < tenantId.length(); i++) {
                    record[at++] = (byte) tenantId.charAt(i); // the id pattern is ASCII
                }
                record[at++] = '"';
            } else if (current.kind[field] == null) {
                at = put(record, at, NULL, 0, NULL.length);
            } else {
                at = put(record, at, values.buf, current.start[field], current.end[field] - current.start[field]);
            }
            record[at++] = ',';
        }
        at = put(record, at, current.timestampKey, 0, current.timestampKey.length);
        at = put(record, at, millis, 0, millis.length);
        record[at] = '}';
        return record;
    }

    private static int put(byte[] target, int at, byte[] source, int from, int length) {
        System.arraycopy(source, from, target, at, length);
        return at + length;
    }

    private static final byte[] NULL = "null".getBytes(StandardCharsets.US_ASCII);

    /**
     * Jackson's factory with a buffer recycler of its own instead of one per thread: each instance of
     * the function runs on one task thread, and the thread-local lookup for every parser showed in
     * profiles of the job.
     */
    private static final class OwnRecyclerFactory extends JsonFactory {
        private static final long serialVersionUID = 1L;
        private final transient BufferRecycler recycler = new BufferRecycler();

        @Override
        public BufferRecycler _getBufferRecycler() {
            return recycler;
        }
    }

    /** A growable byte buffer, reused for every record (ByteArrayOutputStream locks on every write). */
    private static final class Bytes extends OutputStream {
        byte[] buf = new byte[4096];
        int size;

        void reset() {
            size = 0;
        }

        @Override
        public void write(int b) {
            ensure(1);
            buf[size++] = (byte) b;
        }

        @Override
        public void write(byte[] source, int from, int length) {
            ensure(length);
            System.arraycopy(source, from, buf, size, length);
            size += length;
        }

        /**
         * Copy the JSON text {@code text[from, to)}, which the parser has read whole, without the
         * whitespace between its tokens: the enriched record is one line, as Firehose's newline-delimited
         * objects need. Everything else stays as written (escapes, numbers), so nothing is re-printed.
         */
        void writeCompact(byte[] text, int from, int to) {
            ensure(to - from);
            byte[] out = buf;
            int at = size;
            int i = from;
            while (i < to) {
                byte c = text[i++];
                if (c == '"') {
                    out[at++] = c;
                    while (true) { // the parser found the closing quote: no bound check needed
                        byte inside = text[i++];
                        out[at++] = inside;
                        if (inside == '"') {
                            break;
                        }
                        if (inside == '\\') {
                            out[at++] = text[i++];
                        }
                    }
                } else if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                    out[at++] = c;
                }
            }
            size = at;
        }

        private void ensure(int more) {
            if (size + more > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + more));
            }
        }
    }

    /** The rules passed in (sql.py's JSON), checked and prepared, with the scratch space they size. */
    private static final class Rules {
        final String source;
        final Matcher tenantId; // reused for every record: each instance runs on one task thread
        final String[] names;
        final int tierIndex; // the tier's place among the names (for metering), -1 if none
        final int receivedAtIndex; // the event time's place among the names (for metering), -1 if none
        final long maxReceivedAt; // the latest event time (epoch ms) that is one
        final byte[][] keys; // "name":
        final byte[] timestampKey;
        final String[] rejectFields;
        final String[] reasons; // by check
        final String truncatedNote;
        final int maxDepth;
        final int maxRecordBytes;
        final int maxEnrichedBytes;
        final int maxRejectedChars;
        final int[] start;
        final int[] end;
        final JsonToken[] kind;

        Rules(String source) {
            this.source = source;
            JsonNode rules;
            try {
                rules = new ObjectMapper().readTree(source);
            } catch (IOException error) {
                throw new IllegalArgumentException("enrich_record: its rules are not JSON: " + source, error);
            }
            tenantId = Pattern.compile(text(rules, "tenantIdPattern")).matcher("");
            names = texts(rules, "fields");
            if (names.length < 2) {
                throw new IllegalArgumentException("enrich_record needs the tenant id and payload fields: " + source);
            }
            tierIndex = indexOf(text(rules, "tierField"));
            receivedAtIndex = indexOf(text(rules, "receivedAtField"));
            JsonNode latest = rules.get("maxReceivedAt");
            if (latest == null || !latest.canConvertToLong() || latest.asLong() < 1) {
                throw new IllegalArgumentException("enrich_record: its rules have no positive 'maxReceivedAt'");
            }
            maxReceivedAt = latest.asLong();
            keys = new byte[names.length][];
            for (int i = 0; i < names.length; i++) {
                keys[i] = key(names[i]);
            }
            timestampKey = key(text(rules, "timestampField"));
            rejectFields = texts(rules, "rejectFields");
            if (rejectFields.length != 5) {
                throw new IllegalArgumentException(
                        "enrich_record: rejectFields are reason, record, timestamp, tenant, event time: " + source);
            }
            reasons = new String[CHECKS.length];
            for (int i = 0; i < CHECKS.length; i++) {
                reasons[i] = text(rules.path("reasons"), CHECKS[i]);
            }
            truncatedNote = text(rules, "truncatedNote");
            maxDepth = number(rules, "maxDepth");
            maxRecordBytes = number(rules, "maxRecordBytes");
            maxEnrichedBytes = number(rules, "maxEnrichedBytes");
            maxRejectedChars = number(rules, "maxRejectedChars");
            start = new int[names.length];
            end = new int[names.length];
            kind = new JsonToken[names.length];
        }

        private static String text(JsonNode node, String name) {
            JsonNode value = node.get(name);
            if (value == null || !value.isTextual()) {
                throw new IllegalArgumentException("enrich_record: its rules have no text '" + name + "'");
            }
            return value.asText();
        }

        private static String[] texts(JsonNode node, String name) {
            JsonNode value = node.get(name);
            if (value == null || !value.isArray()) {
                throw new IllegalArgumentException("enrich_record: its rules have no list '" + name + "'");
            }
            String[] out = new String[value.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = text(value, i);
            }
            return out;
        }

        private static String text(JsonNode array, int index) {
            JsonNode value = array.get(index);
            if (!value.isTextual()) {
                throw new IllegalArgumentException("enrich_record: not a text in its rules: " + value);
            }
            return value.asText();
        }

        private static int number(JsonNode node, String name) {
            JsonNode value = node.get(name);
            if (value == null || !value.canConvertToInt() || value.asInt() < 1) {
                throw new IllegalArgumentException("enrich_record: its rules have no positive '" + name + "'");
            }
            return value.asInt();
        }

        private static byte[] key(String name) {
            if (!FIELD_NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("enrich_record: not a plain field name: '" + name + "'");
            }
            return ("\"" + name + "\":").getBytes(StandardCharsets.US_ASCII);
        }

        int indexOf(String name) {
            for (int i = 0; i < names.length; i++) {
                if (names[i].equals(name)) {
                    return i;
                }
            }
            return -1;
        }
    }
}
