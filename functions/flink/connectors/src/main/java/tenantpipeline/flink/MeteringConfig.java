package tenantpipeline.flink;

import java.io.Serializable;

/** The metering sink's settings (its table's options) and where its input columns are. */
public final class MeteringConfig implements Serializable {
    private static final long serialVersionUID = 1L;

    final String path;
    final long windowMillis;
    final long delayMillis;
    final long idleMillis;
    final long rolloverMillis;
    final long maxReceivedAt;
    final String[] fieldNames; // the row's JSON keys, in order (functions/contracts/metering.py COLUMNS)
    final String partition; // the day partition's name (dt)
    final int reasonIndex;
    final int tenantIndex;
    final int tierIndex;
    final int sizeIndex;
    final int receivedAtIndex;

    MeteringConfig(String path, long windowMillis, long delayMillis, long idleMillis, long rolloverMillis,
            long maxReceivedAt, String[] fieldNames, String partition, int[] indexes) {
        this.path = path;
        this.windowMillis = windowMillis;
        this.delayMillis = delayMillis;
        this.idleMillis = idleMillis;
        this.rolloverMillis = rolloverMillis;
        this.maxReceivedAt = maxReceivedAt;
        this.fieldNames = fieldNames.clone();
        this.partition = partition;
        this.reasonIndex = indexes[0];
        this.tenantIndex = indexes[1];
        this.tierIndex = indexes[2];
        this.sizeIndex = indexes[3];
        this.receivedAtIndex = indexes[4];
    }
}
