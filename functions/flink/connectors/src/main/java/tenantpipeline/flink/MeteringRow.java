package tenantpipeline.flink;

/** A metering row on its way to the files: its JSON line and the day partition it goes to. */
public class MeteringRow {
    public String day; // yyyy-MM-dd of the window's start, UTC
    public String line;

    public MeteringRow() {}

    public MeteringRow(String day, String line) {
        this.day = day;
        this.line = line;
    }
}
