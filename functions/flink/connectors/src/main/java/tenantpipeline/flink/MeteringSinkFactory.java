package tenantpipeline.flink;

import org.apache.flink.api.common.serialization.Encoder;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.connector.file.sink.FileSink;
import org.apache.flink.core.fs.Path;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamSink;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.functions.sink.filesystem.BucketAssigner;
import org.apache.flink.streaming.api.functions.sink.filesystem.OutputFileConfig;
import org.apache.flink.streaming.api.functions.sink.filesystem.bucketassigners.SimpleVersionedStringSerializer;
import org.apache.flink.streaming.api.functions.sink.filesystem.PartFileInfo;
import org.apache.flink.streaming.api.functions.sink.filesystem.rollingpolicies.CheckpointRollingPolicy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.table.catalog.Column;
import org.apache.flink.table.catalog.ResolvedSchema;
import org.apache.flink.table.connector.ChangelogMode;
import org.apache.flink.table.connector.ProviderContext;
import org.apache.flink.table.connector.sink.DataStreamSinkProvider;
import org.apache.flink.table.connector.sink.DynamicTableSink;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.factories.DynamicTableSinkFactory;
import org.apache.flink.table.factories.FactoryUtil;
import org.apache.flink.table.types.logical.LogicalTypeRoot;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The table connector {@code 'tenant-metering'}: a sink that meters the enrichment's rows per tenant (MeteringOperator)
 * and writes the metering rows, exactly once, as JSON lines under {@code <path>/<partition>=<day>/}.
 *
 * <p>Its table's columns are the enrichment's: {@code reason STRING, record STRING, tenant STRING, tier STRING,
 * size INT, received_at BIGINT} (record is not read). Options: path; window.seconds; watermark.delay.seconds;
 * idle.timeout.seconds; rollover.seconds (a part file is closed at the next checkpoint, or this long after it
 * opened or got its last row if sooner, and committed with the checkpoint: RollOnCheckpoint); max.received.at (the largest event time metered); fields (the row's
 * eight JSON keys, comma-separated); partition (the day partition's name).
 */
public final class MeteringSinkFactory implements DynamicTableSinkFactory {
    public static final String IDENTIFIER = "tenant-metering";

    static final ConfigOption<String> PATH = ConfigOptions.key("path").stringType().noDefaultValue();
    static final ConfigOption<Long> WINDOW = ConfigOptions.key("window.seconds").longType().defaultValue(3600L);
    static final ConfigOption<Long> DELAY = ConfigOptions.key("watermark.delay.seconds").longType().defaultValue(60L);
    static final ConfigOption<Long> IDLE = ConfigOptions.key("idle.timeout.seconds").longType().defaultValue(60L);
    static final ConfigOption<Long> ROLLOVER = ConfigOptions.key("rollover.seconds").longType().defaultValue(60L);
    static final ConfigOption<Long> MAX_RECEIVED_AT =
            ConfigOptions.key("max.received.at").longType().defaultValue(253402300799999L);
    static final ConfigOption<String> FIELDS = ConfigOptions.key("fields").stringType().noDefaultValue();
    static final ConfigOption<String> PARTITION = ConfigOptions.key("partition").stringType().defaultValue("dt");
    static final long MAX_PART_BYTES = MemorySize.ofMebiBytes(128).getBytes();

    /** The input columns the operator reads, and their types. */
    private static final String[] COLUMNS = {"reason", "tenant", "tier", "size", "received_at"};
    private static final LogicalTypeRoot[] TYPES = {
        LogicalTypeRoot.VARCHAR, LogicalTypeRoot.VARCHAR, LogicalTypeRoot.VARCHAR, LogicalTypeRoot.INTEGER,
        LogicalTypeRoot.BIGINT
    };

    @Override
    public String factoryIdentifier() {
        return IDENTIFIER;
    }

    @Override
    public Set<ConfigOption<?>> requiredOptions() {
        return new HashSet<>(Arrays.asList(PATH, FIELDS));
    }

    @Override
    public Set<ConfigOption<?>> optionalOptions() {
        return new HashSet<>(Arrays.asList(WINDOW, DELAY, IDLE, ROLLOVER, MAX_RECEIVED_AT, PARTITION));
    }

    @Override
    public DynamicTableSink createDynamicTableSink(Context context) {
        FactoryUtil.TableFactoryHelper helper = FactoryUtil.createTableFactoryHelper(this, context);
        helper.validate();
        ReadableConfig options = helper.getOptions();
        String[] fields = options.get(FIELDS).split(",");
        if (fields.length != 8) {
            throw new IllegalArgumentException("'fields' names the metering row's 8 keys, got " + options.get(FIELDS));
        }
        long window = options.get(WINDOW);
        if (window < 1 || 86_400 % window != 0) {
            throw new IllegalArgumentException("window.seconds must divide a day (1-86400), got " + window);
        }
        for (ConfigOption<Long> option : Arrays.asList(DELAY, IDLE, ROLLOVER)) {
            if (options.get(option) < 0) {
                throw new IllegalArgumentException(option.key() + " must be 0 or more, got " + options.get(option));
            }
        }
        ResolvedSchema schema = context.getCatalogTable().getResolvedSchema();
        List<Column> columns = schema.getColumns();
        int[] indexes = new int[COLUMNS.length];
        for (int i = 0; i < COLUMNS.length; i++) {
            indexes[i] = schema.getColumnNames().indexOf(COLUMNS[i]);
            if (indexes[i] < 0 || columns.get(indexes[i]).getDataType().getLogicalType().getTypeRoot() != TYPES[i]) {
                throw new IllegalArgumentException("the metering table needs a column " + COLUMNS[i] + " " + TYPES[i]);
            }
        }
        MeteringConfig config = new MeteringConfig(options.get(PATH), window * 1000, options.get(DELAY) * 1000,
                options.get(IDLE) * 1000, options.get(ROLLOVER) * 1000, options.get(MAX_RECEIVED_AT), fields,
                options.get(PARTITION), indexes);
        return new Sink(config);
    }

    private static final class Sink implements DynamicTableSink {
        private final MeteringConfig config;

        Sink(MeteringConfig config) {
            this.config = config;
        }

        @Override
        public ChangelogMode getChangelogMode(ChangelogMode requested) {
            return ChangelogMode.insertOnly();
        }

        @Override
        public SinkRuntimeProvider getSinkRuntimeProvider(Context context) {
            return new DataStreamSinkProvider() {
                @Override
                public DataStreamSink<?> consumeDataStream(ProviderContext provider, DataStream<RowData> rows) {
                    SingleOutputStreamOperator<MeteringRow> metered = rows
                            .transform("Metering", TypeInformation.of(MeteringRow.class), new MeteringOperator(config))
                            .setParallelism(rows.getParallelism());
                    provider.generateUid("metering").ifPresent(metered::uid);
                    DataStreamSink<MeteringRow> sink = metered.sinkTo(files(config)).setParallelism(rows.getParallelism());
                    provider.generateUid("metering-files").ifPresent(sink::uid);
                    return sink;
                }
            };
        }

        @Override
        public DynamicTableSink copy() {
            return new Sink(config);
        }

        @Override
        public String asSummaryString() {
            return "tenant-metering(" + config.path + ")";
        }
    }

    static FileSink<MeteringRow> files(MeteringConfig config) {
        Duration rollover = Duration.ofMillis(Math.max(1000, config.rolloverMillis));
        return FileSink.forRowFormat(new Path(config.path), new LineEncoder())
                .withBucketAssigner(new DayAssigner(config.partition))
                .withRollingPolicy(new RollOnCheckpoint(rollover.toMillis(), MAX_PART_BYTES))
                .withOutputFileConfig(OutputFileConfig.builder().withPartPrefix("part").withPartSuffix(".json").build())
                .withBucketCheckInterval(Math.min(10_000L, rollover.toMillis()))
                .build();
    }

    /**
     * A part file is closed at every checkpoint (and sooner once it is {@code rolloverMillis} old or idle, or
     * {@code maxBytes} long), so no file is ever in progress across a checkpoint. A file in progress at a
     * checkpoint would be persisted, and on S3 Flink's recoverable writer persists it by uploading its tail as an
     * object of its own, {@code _<part>_tmp_<uuid>}, beside the part files: under the table's location, where a
     * query reads it as rows (counted again once the part file commits). Rolling at each checkpoint leaves only
     * committed part files there; rows are few (one per tenant, tier and window), so the files stay few.
     */
    static final class RollOnCheckpoint extends CheckpointRollingPolicy<MeteringRow, String> {
        private static final long serialVersionUID = 1L;
        private final long rolloverMillis;
        private final long maxBytes;

        RollOnCheckpoint(long rolloverMillis, long maxBytes) {
            this.rolloverMillis = rolloverMillis;
            this.maxBytes = maxBytes;
        }

        @Override
        public boolean shouldRollOnEvent(PartFileInfo<String> file, MeteringRow row) throws java.io.IOException {
            return file.getSize() >= maxBytes;
        }

        @Override
        public boolean shouldRollOnProcessingTime(PartFileInfo<String> file, long now) {
            return now - file.getCreationTime() >= rolloverMillis || now - file.getLastUpdateTime() >= rolloverMillis;
        }
    }

    private static final class LineEncoder implements Encoder<MeteringRow> {
        private static final long serialVersionUID = 1L;

        @Override
        public void encode(MeteringRow row, java.io.OutputStream stream) throws java.io.IOException {
            stream.write(row.line.getBytes(StandardCharsets.UTF_8));
            stream.write('\n');
        }
    }

    private static final class DayAssigner implements BucketAssigner<MeteringRow, String> {
        private static final long serialVersionUID = 1L;
        private final String partition;

        DayAssigner(String partition) {
            this.partition = partition;
        }

        @Override
        public String getBucketId(MeteringRow row, Context context) {
            return partition + "=" + row.day;
        }

        @Override
        public SimpleVersionedSerializer<String> getSerializer() {
            return SimpleVersionedStringSerializer.INSTANCE;
        }
    }
}
