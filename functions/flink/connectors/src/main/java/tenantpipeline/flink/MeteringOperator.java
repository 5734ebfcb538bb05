package tenantpipeline.flink;

import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.core.JsonFactory;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.core.JsonGenerator;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.api.common.operators.ProcessingTimeService.ProcessingTimeCallback;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.binary.BinaryStringData;

import java.io.IOException;
import java.io.StringWriter;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Per-tenant metering (functions/flink/metering.py says what and why): the enrichment's rows in, the metering
 * rows out, per tenant, tier and tumbling window of {@code receivedAt}: events accepted, events rejected, bytes
 * accepted.
 *
 * <p>Each subtask counts the records it reads, in memory, per (tenant, tier, window), and keeps its own event-time
 * clock: the largest receivedAt it has read, less the delay. A window's row is written when the clock passes the
 * window's end; a record of a window already written (out of order by more than the delay) gets a row of its own,
 * {@code late: true}. A subtask that reads nothing for the idle timeout moves its clock to the wall clock less the
 * delay, so a quiet shard's windows close; the end of the input and a drain (MAX_WATERMARK) close every window.
 * Several subtasks may write rows for one tenant and window: a tenant's usage is the sum of its rows.
 *
 * <p>Exactly once: the open counts are the operator's state, snapshotted with each checkpoint, so a checkpoint
 * holds exactly the records before its barrier; the rows go to a file sink that makes them visible only when the
 * checkpoint that covers them completes. A restore resumes the counts and the source positions of one checkpoint,
 * and the rows written since are discarded with their uncommitted files.
 *
 * <p>Why not Flink SQL's window aggregation: it buffers every record (serialized) before combining, and needs a
 * watermark assigner and an event-time column read from each record; this costs one hash-map update per record
 * (the enrichment hands over tenant, tier, size and receivedAt, already decoded): bench/RESULTS.md "metering".
 */
public final class MeteringOperator extends AbstractStreamOperator<MeteringRow>
        implements OneInputStreamOperator<RowData, MeteringRow>, ProcessingTimeCallback {
    private static final long serialVersionUID = 1L;
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyy-MM-dd").withZone(ZoneOffset.UTC);

    private final MeteringConfig config;

    private transient Map<Key, long[]> open; // (tenant, tier, window start) -> accepted, rejected, bytes
    private transient Key probe;
    private transient long closedThrough; // every window ending at or before it has been written
    private transient long latest; // the largest receivedAt read
    private transient boolean readSinceTimer;
    private transient ListState<MeteringEntry> state;
    private transient JsonFactory json;

    public MeteringOperator(MeteringConfig config) {
        this.config = config;
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        open = new HashMap<>();
        probe = new Key();
        closedThrough = Long.MIN_VALUE;
        latest = Long.MIN_VALUE;
        state = context.getOperatorStateStore()
                .getListState(new ListStateDescriptor<>("open-windows", TypeInformation.of(MeteringEntry.class)));
        if (context.isRestored()) { // counts are additive: any subtask may take any entry after a rescale
            for (MeteringEntry entry : state.get()) {
                Key key = new Key(StringData.fromString(entry.tenant), entry.tier == null ? null
                        : StringData.fromString(entry.tier), entry.windowStart);
                long[] counts = open.computeIfAbsent(key, k -> new long[3]);
                counts[0] += entry.accepted;
                counts[1] += entry.rejected;
                counts[2] += entry.bytes;
            }
        }
    }

    @Override
    public void open() throws Exception {
        super.open();
        json = new JsonFactory();
        if (config.idleMillis > 0) {
            long now = getProcessingTimeService().getCurrentProcessingTime();
            getProcessingTimeService().registerTimer(now + config.idleMillis, this);
        }
    }

    @Override
    public void processElement(StreamRecord<RowData> element) {
        RowData row = element.getValue();
        if (row.isNullAt(config.tenantIndex) || row.isNullAt(config.receivedAtIndex)) {
            return; // counts for no tenant, or has no event time: not metered
        }
        long at = row.getLong(config.receivedAtIndex);
        if (at < 1 || at > config.maxReceivedAt) {
            return;
        }
        readSinceTimer = true;
        boolean accepted = row.isNullAt(config.reasonIndex);
        long bytes = accepted && !row.isNullAt(config.sizeIndex) ? row.getInt(config.sizeIndex) : 0;
        long start = at - Math.floorMod(at, config.windowMillis);
        StringData tenant = row.getString(config.tenantIndex);
        StringData tier = row.isNullAt(config.tierIndex) ? null : row.getString(config.tierIndex);
        if (start + config.windowMillis <= closedThrough) { // its window is written: a row of its own
            emit(tenant, tier, start, accepted ? 1 : 0, accepted ? 0 : 1, bytes, true);
        } else {
            long[] counts = open.get(probe.set(tenant, tier, start));
            if (counts == null) {
                counts = new long[3];
                open.put(new Key(copy(tenant), tier == null ? null : copy(tier), start), counts);
            }
            counts[accepted ? 0 : 1]++;
            counts[2] += bytes;
        }
        if (at > latest) {
            latest = at;
            advance(at - config.delayMillis);
        }
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        // The source declares no watermark: what comes is MAX_WATERMARK, at the end of the input or a drain.
        advance(mark.getTimestamp());
        super.processWatermark(mark);
    }

    @Override
    public void onProcessingTime(long time) {
        if (!readSinceTimer) { // idle for a whole timeout: the wall clock moves this subtask's clock
            advance(time - config.delayMillis);
        }
        readSinceTimer = false;
        getProcessingTimeService().registerTimer(time + config.idleMillis, this);
    }

    @Override
    public void finish() throws Exception {
        advance(Long.MAX_VALUE);
        super.finish();
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        List<MeteringEntry> entries = new ArrayList<>(open.size());
        for (Map.Entry<Key, long[]> entry : open.entrySet()) {
            Key key = entry.getKey();
            long[] counts = entry.getValue();
            entries.add(new MeteringEntry(key.tenant.toString(), key.tier == null ? null : key.tier.toString(),
                    key.windowStart, counts[0], counts[1], counts[2]));
        }
        state.update(entries);
    }

    /** Move the clock to {@code clock}: write every open window that ends at or before the last boundary. */
    private void advance(long clock) {
        long through = clock == Long.MAX_VALUE ? Long.MAX_VALUE : clock - Math.floorMod(clock, config.windowMillis);
        if (through <= closedThrough) {
            return;
        }
        closedThrough = through;
        Iterator<Map.Entry<Key, long[]>> entries = open.entrySet().iterator();
        while (entries.hasNext()) {
            Map.Entry<Key, long[]> entry = entries.next();
            Key key = entry.getKey();
            if (through == Long.MAX_VALUE || key.windowStart + config.windowMillis <= through) {
                long[] counts = entry.getValue();
                emit(key.tenant, key.tier, key.windowStart, counts[0], counts[1], counts[2], false);
                entries.remove();
            }
        }
    }

    private void emit(StringData tenant, StringData tier, long start, long accepted, long rejected, long bytes,
            boolean late) {
        StringWriter text = new StringWriter(160);
        String[] names = config.fieldNames;
        try (JsonGenerator out = json.createGenerator(text)) {
            out.writeStartObject();
            out.writeStringField(names[0], tenant.toString());
            if (tier == null) {
                out.writeNullField(names[1]);
            } else {
                out.writeStringField(names[1], tier.toString());
            }
            out.writeStringField(names[2], TIME.format(Instant.ofEpochMilli(start)));
            out.writeStringField(names[3], TIME.format(Instant.ofEpochMilli(start + config.windowMillis)));
            out.writeNumberField(names[4], accepted);
            out.writeNumberField(names[5], rejected);
            out.writeNumberField(names[6], bytes);
            out.writeBooleanField(names[7], late);
            out.writeEndObject();
        } catch (IOException error) {
            throw new IllegalStateException("cannot print a metering row", error); // in memory: never
        }
        output.collect(new StreamRecord<>(new MeteringRow(DAY.format(Instant.ofEpochMilli(start)), text.toString())));
    }

    private static StringData copy(StringData text) {
        return text instanceof BinaryStringData ? ((BinaryStringData) text).copy() : StringData.fromString(text.toString());
    }

    /** A window's key; the probe is reused for lookups, a copy is stored. */
    private static final class Key {
        StringData tenant;
        StringData tier;
        long windowStart;

        Key() {}

        Key(StringData tenant, StringData tier, long windowStart) {
            set(tenant, tier, windowStart);
        }

        Key set(StringData tenant, StringData tier, long windowStart) {
            this.tenant = tenant;
            this.tier = tier;
            this.windowStart = windowStart;
            return this;
        }

        @Override
        public boolean equals(Object other) {
            if (!(other instanceof Key)) {
                return false;
            }
            Key key = (Key) other;
            return windowStart == key.windowStart && tenant.equals(key.tenant) && Objects.equals(tier, key.tier);
        }

        @Override
        public int hashCode() {
            return (tenant.hashCode() * 31 + (tier == null ? 0 : tier.hashCode())) * 31 + Long.hashCode(windowStart);
        }
    }
}
