package tenantpipeline.flink;

/** An open window's counts as the metering operator's checkpointed state (a POJO: Flink's serializer). */
public class MeteringEntry {
    public String tenant;
    public String tier; // null: the envelope named none
    public long windowStart;
    public long accepted;
    public long rejected;
    public long bytes;

    public MeteringEntry() {}

    public MeteringEntry(String tenant, String tier, long windowStart, long accepted, long rejected, long bytes) {
        this.tenant = tenant;
        this.tier = tier;
        this.windowStart = windowStart;
        this.accepted = accepted;
        this.rejected = rejected;
        this.bytes = bytes;
    }
}
