package tenantpipeline.flink;

import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.core.JsonFactory;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.core.JsonGenerator;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.core.JsonParser;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.core.JsonToken;
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
import java.util.regex.Pattern;

/**
 * The SQL path's enrichment: one parse of each Kinesis record, with Jackson's streaming parser (the one
 * Flink ships), deciding whether the record is acceptable and printing its enriched form.
 *
 * <p>SQL: {@code enrich_record(line, tenantIdRegex, fields, timestampField, maxDepth, maxRecordBytes,
 * maxEnrichedBytes)} returns {@code ROW<code INT, enriched STRING, ts BIGINT>}: {@code code} NULL and the
 * enriched record, or the code of the reason to reject it (and no record); {@code ts} is the processing
 * time (epoch ms) either way. Every rule comes from Python (functions/flink/sql.py passes the rules'
 * values as literals): the tenant id pattern, the record's fields in output order (the tenant id first,
 * the payload last), the timestamp's name and the limits. The reason codes are the positions (from 1)
 * of sql.py's REASONS, which is also the order in which the checks decide.
 *
 * <p>The enriched record re-prints each field as Jackson reads it, as Flink's JSON functions did (1e6
 * becomes 1000000.0). A record is JSON only as RFC 8259 says, and whole: trailing text, a byte order mark
 * or another encoding than UTF-8 makes it "not a JSON object".
 */
public final class EnrichRecord extends ScalarFunction {
    private static final long serialVersionUID = 1L;

    // Positions in functions/flink/sql.py's REASONS.
    static final int RECORD_TOO_LARGE = 1;
    static final int TOO_DEEP = 2;
    static final int NOT_JSON_OBJECT = 3;
    static final int DUPLICATE_FIELD = 4;
    static final int MISSING_TENANT_ID = 5;
    static final int INVALID_TENANT_ID = 6;
    static final int MISSING_PAYLOAD = 7;
    static final int PAYLOAD_NOT_OBJECT = 8;
    static final int ENRICHED_TOO_LARGE = 9;

    private static final Pattern FIELD_NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_]*");

    /** The rules as last passed in; the arguments are literals, so this is built once per task. */
    private transient Rules rules;

    private transient JsonFactory json;
    private transient Bytes values;

    @Override
    public boolean isDeterministic() {
        return false; // reads the clock; also keeps the planner from calling it once per field of its result
    }

    public @DataTypeHint(value = "ROW<code INT, enriched STRING, ts BIGINT>", bridgedTo = RowData.class) RowData eval(
            @DataTypeHint(value = "STRING", bridgedTo = StringData.class) StringData line,
            @DataTypeHint(value = "STRING", bridgedTo = StringData.class) StringData tenantIdRegex,
            @DataTypeHint(value = "STRING", bridgedTo = StringData.class) StringData fields,
            @DataTypeHint(value = "STRING", bridgedTo = StringData.class) StringData timestampField,
            int maxDepth,
            int maxRecordBytes,
            int maxEnrichedBytes) {
        long now = System.currentTimeMillis();
        Rules current = rules;
        if (current == null || !current.sameAs(tenantIdRegex, fields, timestampField, maxDepth, maxRecordBytes, maxEnrichedBytes)) {
            current = new Rules(tenantIdRegex, fields, timestampField, maxDepth, maxRecordBytes, maxEnrichedBytes);
            rules = current;
            json = new JsonFactory();
            json.setRootValueSeparator(null); // the fields' values are printed one after another
            values = new Bytes();
        }
        if (line == null) {
            return GenericRowData.of(NOT_JSON_OBJECT, null, now);
        }
        if (utf8Length(line) > current.maxRecordBytes) {
            return GenericRowData.of(RECORD_TOO_LARGE, null, now);
        }
        byte[] text = line.toBytes();
        if (RecordShape.nestsDeeperThan(text, current.maxDepth)) {
            return GenericRowData.of(TOO_DEEP, null, now);
        }
        int code;
        try {
            code = parse(text, current);
        } catch (IOException | RuntimeException error) {
            // Not JSON (or not UTF-8): a reason, never an error that would stop the job for every tenant.
            code = NOT_JSON_OBJECT;
        }
        if (code != 0) {
            return GenericRowData.of(code, null, now);
        }
        byte[] record = print(current, now);
        if (record.length > current.maxEnrichedBytes) {
            return GenericRowData.of(ENRICHED_TOO_LARGE, null, now);
        }
        return GenericRowData.of(null, StringData.fromBytes(record), now);
    }

    private static int utf8Length(StringData line) {
        return line instanceof BinaryStringData ? ((BinaryStringData) line).getSizeInBytes() : line.toBytes().length;
    }

    /** Parse the record once: 0 when acceptable (its fields' values printed into `values`), else a code. */
    private int parse(byte[] text, Rules current) throws IOException {
        if (!startsLikeUtf8Object(text)) {
            return NOT_JSON_OBJECT;
        }
        int count = current.names.length;
        int[] start = current.start;
        int[] end = current.end;
        JsonToken[] kind = current.kind;
        Arrays.fill(kind, null);
        values.reset();
        String tenantId = null;
        boolean repeated = false;
        try (JsonParser parser = json.createParser(text);
                JsonGenerator generator = json.createGenerator(values)) {
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
                if (field == 0 && value == JsonToken.VALUE_STRING) {
                    tenantId = parser.getText();
                }
                start[field] = values.size + generator.getOutputBuffered();
                generator.copyCurrentStructure(parser);
                end[field] = values.size + generator.getOutputBuffered();
            }
            if (token != JsonToken.END_OBJECT || parser.nextToken() != null) {
                return NOT_JSON_OBJECT; // (the parser throws first on most broken text)
            }
        }
        // (closing the generator flushed every value into `values`)
        if (repeated) {
            return DUPLICATE_FIELD;
        }
        if (kind[0] == null || kind[0] == JsonToken.VALUE_NULL) {
            return MISSING_TENANT_ID;
        }
        if (tenantId == null || !current.tenantId.matcher(tenantId).matches()) {
            return INVALID_TENANT_ID;
        }
        JsonToken payload = kind[count - 1];
        if (payload == null || payload == JsonToken.VALUE_NULL) {
            return MISSING_PAYLOAD;
        }
        if (payload != JsonToken.START_OBJECT) {
            return PAYLOAD_NOT_OBJECT;
        }
        return 0;
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
        byte[] millis = Long.toString(now).getBytes(StandardCharsets.US_ASCII);
        int count = current.names.length;
        int length = 1 + current.timestampKey.length + millis.length + 1 + count; // { key millis } and commas
        for (int field = 0; field < count; field++) {
            length += current.keys[field].length
                    + (current.kind[field] == null ? NULL.length : current.end[field] - current.start[field]);
        }
        byte[] record = new byte[length];
        record[0] = '{';
        int at = 1;
        for (int field = 0; field < count; field++) {
            at = put(record, at, current.keys[field], 0, current.keys[field].length);
            if (current.kind[field] == null) {
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

        private void ensure(int more) {
            if (size + more > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + more));
            }
        }
    }

    /** The rules passed in, checked and prepared, with the per-record scratch space they size. */
    private static final class Rules {
        final String tenantIdRegex;
        final String fieldList;
        final String timestampName;
        final int maxDepth;
        final int maxRecordBytes;
        final int maxEnrichedBytes;
        final Pattern tenantId;
        final String[] names;
        final byte[][] keys; // "name":
        final byte[] timestampKey;
        final int[] start;
        final int[] end;
        final JsonToken[] kind;

        Rules(StringData tenantIdRegex, StringData fields, StringData timestampField, int maxDepth, int maxRecordBytes, int maxEnrichedBytes) {
            this.tenantIdRegex = String.valueOf(tenantIdRegex);
            this.fieldList = String.valueOf(fields);
            this.timestampName = String.valueOf(timestampField);
            this.maxDepth = maxDepth;
            this.maxRecordBytes = maxRecordBytes;
            this.maxEnrichedBytes = maxEnrichedBytes;
            this.tenantId = Pattern.compile(this.tenantIdRegex);
            this.names = fieldList.split(",", -1);
            if (names.length < 2) {
                throw new IllegalArgumentException("enrich_record needs the tenant id field and the payload field, got: " + fieldList);
            }
            this.keys = new byte[names.length][];
            for (int i = 0; i < names.length; i++) {
                keys[i] = key(names[i]);
            }
            this.timestampKey = key(timestampName);
            if (maxDepth < 1 || maxRecordBytes < 1 || maxEnrichedBytes < 1) {
                throw new IllegalArgumentException("enrich_record's limits must be positive: " + maxDepth + ", " + maxRecordBytes + ", " + maxEnrichedBytes);
            }
            this.start = new int[names.length];
            this.end = new int[names.length];
            this.kind = new JsonToken[names.length];
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

        boolean sameAs(StringData regex, StringData fields, StringData timestamp, int depth, int recordBytes, int enrichedBytes) {
            return depth == maxDepth
                    && recordBytes == maxRecordBytes
                    && enrichedBytes == maxEnrichedBytes
                    && tenantIdRegex.equals(String.valueOf(regex))
                    && fieldList.equals(String.valueOf(fields))
                    && timestampName.equals(String.valueOf(timestamp));
        }
    }
}
