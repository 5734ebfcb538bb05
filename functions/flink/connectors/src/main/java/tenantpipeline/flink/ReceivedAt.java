package tenantpipeline.flink;

import org.apache.flink.core.memory.MemorySegment;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.core.JsonFactory;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.core.JsonParser;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.core.JsonToken;
import org.apache.flink.table.annotation.DataTypeHint;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.binary.BinaryStringData;
import org.apache.flink.table.functions.ScalarFunction;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The event time of a Kinesis record: its top-level {@code receivedAt} (epoch milliseconds, API Gateway's
 * request time, which the mapping template writes), or NULL when the record has none that is an integer from
 * 1 to a bound (the last millisecond Flink's TIMESTAMP_LTZ(3) holds: a larger one would fail the job).
 *
 * <p>SQL: {@code received_at(line, 'receivedAt', <bound>)} returns BIGINT; the field's name and the bound are
 * literals functions/flink/metering.py writes from the record's contract. The job's source table computes its event-time column
 * from it (a watermark needs a column of the source), so it runs on every record before the enrichment:
 * it reads the bytes in place and stops at the field. The envelope comes first in the API's records, so
 * that is a few dozen bytes; a record that puts it after its payload is read up to it, skipping strings
 * and nested values without parsing them. A top-level key written with escapes is decoded as a JSON parser
 * would (Jackson, for that record), so {@code "receivedAt"} written any way is found. Only the first
 * occurrence counts: a record repeating it is rejected by the enrichment anyway. Text that is not JSON may
 * still yield a value; nothing is metered for a record the enrichment cannot attribute to a tenant.
 */
public final class ReceivedAt extends ScalarFunction {
    private static final long serialVersionUID = 1L;
    private static final int MAX_DIGITS = 18; // every 18-digit number fits a long

    private transient JsonFactory json;
    /** The field's name as last passed in (a literal: the same object on every call), and its bytes. */
    private transient StringData fieldSeen;
    private transient String field;
    private transient byte[] fieldBytes;

    public @DataTypeHint("BIGINT") Long eval(
            @DataTypeHint(value = "STRING", bridgedTo = StringData.class) StringData line,
            @DataTypeHint(value = "STRING", bridgedTo = StringData.class) StringData fieldName,
            @DataTypeHint("BIGINT") Long maximum) {
        Long found = at(line, fieldName);
        return found == null || found < 1 || maximum == null || found > maximum ? null : found;
    }

    private Long at(StringData line, StringData fieldName) {
        if (line == null || fieldName == null) {
            return null;
        }
        if (fieldName != fieldSeen) {
            field = fieldName.toString();
            fieldBytes = field.getBytes(StandardCharsets.UTF_8);
            fieldSeen = fieldName;
        }
        if (line instanceof BinaryStringData) {
            BinaryStringData binary = (BinaryStringData) line;
            MemorySegment[] segments = binary.getSegments();
            if (segments.length == 1 && !segments[0].isOffHeap()) { // the usual case: read in place
                return find(segments[0].getArray(), binary.getOffset(), binary.getOffset() + binary.getSizeInBytes());
            }
        }
        byte[] text = line.toBytes();
        return find(text, 0, text.length);
    }

    /** The top-level receivedAt of the JSON object in {@code text[from, to)}, or null. */
    Long find(byte[] text, int from, int to) {
        int i = skipSpace(text, from, to);
        if (i >= to || text[i] != '{') {
            return null;
        }
        i++;
        while (true) {
            i = skipSpace(text, i, to);
            if (i >= to || text[i] != '"') {
                return null; // `}` (no such field) or not an object
            }
            int keyEnd = stringEnd(text, i, to);
            if (keyEnd < 0) {
                return null;
            }
            for (int k = i + 1; k < keyEnd; k++) {
                if (text[k] == '\\') {
                    return parsed(text, from, to); // an escaped key: decode it as a parser would
                }
            }
            boolean wanted = keyEnd - i - 1 == fieldBytes.length && regionEquals(text, i + 1, fieldBytes);
            i = skipSpace(text, keyEnd + 1, to);
            if (i >= to || text[i] != ':') {
                return null;
            }
            i = skipSpace(text, i + 1, to);
            if (wanted) {
                return integer(text, i, to);
            }
            i = skipValue(text, i, to);
            if (i < 0) {
                return null;
            }
            i = skipSpace(text, i, to);
            if (i >= to || text[i] != ',') {
                return null;
            }
            i++;
        }
    }

    private static boolean regionEquals(byte[] text, int at, byte[] expected) {
        for (int k = 0; k < expected.length; k++) {
            if (text[at + k] != expected[k]) {
                return false;
            }
        }
        return true;
    }

    private static int skipSpace(byte[] text, int i, int to) {
        while (i < to) {
            byte c = text[i];
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                break;
            }
            i++;
        }
        return i;
    }

    /** The index of the quote closing the string opened at {@code start}, or -1. */
    private static int stringEnd(byte[] text, int start, int to) {
        for (int j = start + 1; j < to; j++) {
            byte c = text[j];
            if (c == '"') {
                return j;
            }
            if (c == '\\') {
                j++;
            }
        }
        return -1;
    }

    /** Past the value starting at {@code i}: a string, an object or array (brackets counted outside strings), a scalar. */
    private static int skipValue(byte[] text, int i, int to) {
        if (i >= to) {
            return -1;
        }
        byte first = text[i];
        if (first == '"') {
            int end = stringEnd(text, i, to);
            return end < 0 ? -1 : end + 1;
        }
        if (first == '{' || first == '[') {
            int depth = 0;
            for (int j = i; j < to; j++) {
                byte c = text[j];
                if (c == '"') {
                    j = stringEnd(text, j, to);
                    if (j < 0) {
                        return -1;
                    }
                } else if (c == '{' || c == '[') {
                    depth++;
                } else if (c == '}' || c == ']') {
                    if (--depth == 0) {
                        return j + 1;
                    }
                }
            }
            return -1;
        }
        int j = i;
        while (j < to && text[j] != ',' && text[j] != '}' && text[j] != ' ' && text[j] != '\t'
                && text[j] != '\n' && text[j] != '\r') {
            j++;
        }
        return j;
    }

    /** A JSON integer at {@code i} (an optional minus and digits, ending the value), or null. */
    private static Long integer(byte[] text, int i, int to) {
        int j = i;
        boolean negative = j < to && text[j] == '-';
        if (negative) {
            j++;
        }
        int digitsFrom = j;
        long value = 0;
        while (j < to && text[j] >= '0' && text[j] <= '9') {
            value = value * 10 + (text[j] - '0');
            j++;
        }
        int digits = j - digitsFrom;
        if (digits == 0 || digits > MAX_DIGITS || (digits > 1 && text[digitsFrom] == '0')) {
            return null;
        }
        if (j < to && text[j] != ',' && text[j] != '}' && text[j] != ' ' && text[j] != '\t' && text[j] != '\n'
                && text[j] != '\r') {
            return null; // a fraction or an exponent: not an epoch in milliseconds
        }
        return negative ? -value : value;
    }

    /** The slow path, for a record whose top-level keys use escapes: Jackson decodes them. */
    private Long parsed(byte[] text, int from, int to) {
        if (json == null) {
            json = new JsonFactory();
        }
        try (JsonParser parser = json.createParser(text, from, to - from)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                boolean wanted = field.equals(parser.getCurrentName());
                JsonToken value = parser.nextToken();
                if (wanted) {
                    boolean fitsLong = value == JsonToken.VALUE_NUMBER_INT
                            && parser.getNumberType() != JsonParser.NumberType.BIG_INTEGER;
                    return fitsLong ? parser.getLongValue() : null;
                }
                parser.skipChildren();
            }
        } catch (IOException | RuntimeException error) {
            return null;
        }
        return null;
    }
}
