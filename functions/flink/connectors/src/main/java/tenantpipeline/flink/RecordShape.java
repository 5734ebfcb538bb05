package tenantpipeline.flink;

/**
 * A record's nesting depth read from its UTF-8 bytes without parsing it: the rule of
 * functions/flink/structure.py's {@code nests_deeper_than}, which is the reference (a test runs both on
 * the same texts). An opening bracket pushes, a closing one pops (a stray one at the top is ignored),
 * brackets inside strings do not count, and a quote that starts no complete string (Python's
 * {@code "[^"\\]*(?:\\.[^"\\]*)*"}: a backslash escapes any character but a newline) is a lone quote.
 *
 * <p>Linear in the text, with no recursion: the bound is checked before any parse because a parser's
 * stack overflows on deep enough input. Bytes work as well as characters: every byte of a multi-byte
 * UTF-8 sequence is 0x80 or above, so none is a bracket, quote or backslash.
 */
public final class RecordShape {
    private RecordShape() {}

    /** Do objects and arrays in {@code text} nest more than {@code limit} deep? */
    public static boolean nestsDeeperThan(byte[] text, int limit) {
        int length = text.length;
        int openers = 0;
        for (int i = 0; i < length; i++) {
            byte c = text[i];
            if (c == '{' || c == '[') {
                openers++;
            }
        }
        if (openers <= limit) { // the usual record: no need to look closer
            return false;
        }
        int depth = 0;
        // A string scanned from a quote that found no end fails at `failsAt`. A later quote before that
        // point was an escaped character of that scan, so its own scan joins the first one's and fails
        // there too: it is a lone quote without scanning again (which keeps the whole pass linear).
        int failsAt = -1;
        for (int i = 0; i < length; i++) {
            byte c = text[i];
            if (c == '"') {
                if (i < failsAt) {
                    continue;
                }
                int end = stringEnd(text, i);
                if (end >= 0) {
                    i = end; // skip the string
                } else {
                    failsAt = -end - 1;
                }
            } else if (c == '{' || c == '[') {
                if (++depth > limit) {
                    return true;
                }
            } else if ((c == '}' || c == ']') && depth > 0) {
                depth--;
            }
        }
        return false;
    }

    /**
     * The index of the quote closing the string opened at {@code start}, or {@code -(p + 1)} when there
     * is none, p being where the scan failed (a backslash before a newline, or the end of the text).
     */
    private static int stringEnd(byte[] text, int start) {
        int length = text.length;
        int j = start + 1;
        while (j < length) {
            byte c = text[j];
            if (c == '"') {
                return j;
            }
            if (c == '\\') {
                if (j + 1 >= length) {
                    return -(length + 1);
                }
                if (text[j + 1] == '\n') {
                    return -(j + 1);
                }
                j += 2;
            } else {
                j++;
            }
        }
        return -(length + 1);
    }
}
