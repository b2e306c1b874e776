using CsvHelper;

namespace IpcAudit.Report.Output;

// One row type per CSV file; the column names are the JSON names, which users script against.
// Times are preformatted ISO-8601 UTC text so CSV and JSON show the same instant the same way.

[CsvRecord]
internal sealed partial record OrphanCsvRow
{
    [CsvColumn("verdict")] public string Verdict { get; init; } = "";
    [CsvColumn("host")] public string Host { get; init; } = "";
    [CsvColumn("kind")] public string Kind { get; init; } = "";
    [CsvColumn("id")] public int? Id { get; init; }
    [CsvColumn("key")] public string? Key { get; init; }
    [CsvColumn("owner")] public uint Owner { get; init; }
    [CsvColumn("owner_name")] public string? OwnerName { get; init; }
    [CsvColumn("application")] public string? Application { get; init; }
    [CsvColumn("bytes")] public ulong Bytes { get; init; }
    [CsvColumn("first_seen")] public string FirstSeen { get; init; } = "";
    [CsvColumn("unused_since")] public string UnusedSince { get; init; } = "";
    [CsvColumn("orphaned_since")] public string? OrphanedSince { get; init; }
    [CsvColumn("last_operation")] public string? LastOperation { get; init; }
    [CsvColumn("age_seconds")] public long AgeSeconds { get; init; }
    [CsvColumn("creator_pid")] public int? CreatorPid { get; init; }
    [CsvColumn("creator_alive")] public bool? CreatorAlive { get; init; }
    [CsvColumn("reason")] public string Reason { get; init; } = "";
    [CsvColumn("evidence")] public string Evidence { get; init; } = "";
    [CsvColumn("missing")] public string Missing { get; init; } = "";
    [CsvColumn("processes")] public string Processes { get; init; } = "";
    [CsvColumn("suggested_command")] public string? SuggestedCommand { get; init; }
    /// <summary>POSIX kinds only (their id and key are empty); last, so the System V columns keep their places.</summary>
    [CsvColumn("name")] public string? Name { get; init; }
}

[CsvRecord]
internal sealed partial record GrowthCsvRow
{
    [CsvColumn("host")] public string Host { get; init; } = "";
    [CsvColumn("kind")] public string Kind { get; init; } = "";
    [CsvColumn("owner")] public uint Owner { get; init; }
    [CsvColumn("start_count")] public long StartCount { get; init; }
    [CsvColumn("end_count")] public long EndCount { get; init; }
    [CsvColumn("start_bytes")] public ulong StartBytes { get; init; }
    [CsvColumn("end_bytes")] public ulong EndBytes { get; init; }
    [CsvColumn("count_slope_per_day")] public decimal CountSlopePerDay { get; init; }
    [CsvColumn("bytes_slope_per_day")] public decimal BytesSlopePerDay { get; init; }
    [CsvColumn("created")] public long Created { get; init; }
    [CsvColumn("removed")] public long Removed { get; init; }
}

[CsvRecord]
internal sealed partial record PressureCsvRow
{
    [CsvColumn("host")] public string Host { get; init; } = "";
    [CsvColumn("limit")] public string Limit { get; init; } = "";
    [CsvColumn("used")] public ulong Used { get; init; }
    [CsvColumn("max")] public ulong? Max { get; init; }
    [CsvColumn("percent")] public decimal? Percent { get; init; }
    [CsvColumn("peak_percent")] public decimal? PeakPercent { get; init; }
    [CsvColumn("peak_at")] public string? PeakAt { get; init; }
    [CsvColumn("seconds_above_80")] public long SecondsAbove80 { get; init; }
    [CsvColumn("seconds_above_90")] public long SecondsAbove90 { get; init; }
    [CsvColumn("projected_exhaustion")] public string? ProjectedExhaustion { get; init; }
    [CsvColumn("role")] public string Role { get; init; } = "";
    [CsvColumn("exhausted_since")] public string? ExhaustedSince { get; init; }
    [CsvColumn("trend")] public string? Trend { get; init; }
    [CsvColumn("queue_messages")] public ulong? QueueMessages { get; init; }
    [CsvColumn("queue_bytes")] public ulong? QueueBytes { get; init; }
}

[CsvRecord]
internal sealed partial record ChurnCsvRow
{
    [CsvColumn("host")] public string Host { get; init; } = "";
    [CsvColumn("kind")] public string Kind { get; init; } = "";
    [CsvColumn("created")] public long Created { get; init; }
    [CsvColumn("removed")] public long Removed { get; init; }
    [CsvColumn("vanished_while_used")] public long VanishedWhileUsed { get; init; }
    [CsvColumn("sys_uid_max")] public uint SysUidMax { get; init; }
    [CsvColumn("sys_uid_max_assumed")] public bool SysUidMaxAssumed { get; init; }
    [CsvColumn("reaped")] public long Reaped { get; init; }
}
