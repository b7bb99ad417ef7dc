using System.Text.Json;
using Npgsql;
using NpgsqlTypes;

namespace SentinelSync.Replication.Reconcile;

/// <summary>
/// Reconcile runs in the control database (<c>sentinel.reconcile_run</c>): written by the run as it goes, read by
/// any silo's API. The API returns a run as one JSON object (<see cref="RunJson"/>'s shape).
/// </summary>
public sealed class ReconcileStore(NpgsqlDataSource controlDb)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private const string InsertSql = """
        INSERT INTO sentinel.reconcile_run (id, pipeline, mode, repair, trigger, scheduled_for, status, silo, request)
        VALUES (@id, @pipeline, @mode, @repair, @trigger, @scheduled, 'running', @silo, @request)
        ON CONFLICT DO NOTHING
        """;

    private const string ProgressSql = """
        UPDATE sentinel.reconcile_run
        SET status = @status, updated_at = now(), rows_checked = @checked, rows_estimated = @estimated, drift_rows = @drift,
            repaired_rows = @repaired, tables = @tables, error = @error,
            finished_at = CASE WHEN @status = 'running' THEN NULL ELSE now() END
        WHERE id = @id
        """;

    private const string InterruptSql = """
        UPDATE sentinel.reconcile_run SET status = 'interrupted', finished_at = now(), updated_at = now(),
            error = 'The silo running it stopped or the run was lost; start it again.'
        WHERE pipeline = @pipeline AND status = 'running'
        """;

    /// <summary>A run as the API shows it.</summary>
    private const string RunJson = """
        json_build_object(
            'id', id, 'pipeline', pipeline, 'mode', mode, 'repair', repair, 'trigger', trigger, 'scheduledFor', scheduled_for,
            'status', status, 'silo', silo, 'startedAt', started_at, 'finishedAt', finished_at,
            'seconds', round(extract(epoch FROM coalesce(finished_at, now()) - started_at)::numeric, 3),
            'rowsChecked', rows_checked, 'rowsEstimated', rows_estimated, 'driftRows', drift_rows, 'repairedRows', repaired_rows,
            'request', request, 'tables', tables, 'error', error)
        """;

    /// <summary>Records a new run; false when a scheduled run of the same occurrence already exists (another silo's).</summary>
    public async Task<bool> StartAsync(string id, string pipeline, ReconcileRequest request, string silo, CancellationToken cancellationToken)
    {
        await using var command = controlDb.CreateCommand(InsertSql);
        command.Parameters.AddWithValue("id", id);
        command.Parameters.AddWithValue("pipeline", pipeline);
        command.Parameters.AddWithValue("mode", request.Mode.ToString().ToLowerInvariant());
        command.Parameters.AddWithValue("repair", request.Repair);
        command.Parameters.AddWithValue("trigger", request.ScheduledFor is null ? "manual" : "schedule");
        command.Parameters.Add(new NpgsqlParameter("scheduled", NpgsqlDbType.TimestampTz) { Value = (object?)request.ScheduledFor ?? DBNull.Value });
        command.Parameters.AddWithValue("silo", silo);
        command.Parameters.Add(new NpgsqlParameter("request", NpgsqlDbType.Jsonb) { Value = JsonSerializer.Serialize(new { tables = request.Tables, sink = request.Sink, mode = request.Mode.ToString().ToLowerInvariant(), repair = request.Repair }, Json) });
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    public async Task UpdateAsync(string id, string status, long rowsChecked, long rowsEstimated, IReadOnlyList<TableReconcileResult> tables, string? error, CancellationToken cancellationToken)
    {
        await using var command = controlDb.CreateCommand(ProgressSql);
        command.Parameters.AddWithValue("id", id);
        command.Parameters.AddWithValue("status", status);
        command.Parameters.AddWithValue("checked", rowsChecked);
        command.Parameters.AddWithValue("estimated", rowsEstimated);
        command.Parameters.AddWithValue("drift", tables.Sum(t => t.DriftRows));
        command.Parameters.AddWithValue("repaired", tables.Sum(t => (long)((t.Repair?.Upserted ?? 0) + (t.Repair?.Deleted ?? 0))));
        command.Parameters.Add(new NpgsqlParameter("tables", NpgsqlDbType.Jsonb) { Value = JsonSerializer.Serialize(tables, Json) });
        command.Parameters.Add(new NpgsqlParameter("error", NpgsqlDbType.Text) { Value = (object?)error ?? DBNull.Value });
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Marks the pipeline's runs still recorded as running as interrupted (their runner is gone).</summary>
    public async Task InterruptRunningAsync(string pipeline, CancellationToken cancellationToken)
    {
        await using var command = controlDb.CreateCommand(InterruptSql);
        command.Parameters.AddWithValue("pipeline", pipeline);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>One run as JSON text, or null.</summary>
    public async Task<string?> GetAsync(string id, CancellationToken cancellationToken)
    {
        await using var command = controlDb.CreateCommand($"SELECT {RunJson}::text FROM sentinel.reconcile_run WHERE id = @id");
        command.Parameters.AddWithValue("id", id);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string;
    }

    /// <summary>The latest runs (of one pipeline, or all), newest first, as a JSON array text.</summary>
    public async Task<string> ListAsync(string? pipeline, int limit, CancellationToken cancellationToken)
    {
        await using var command = controlDb.CreateCommand(
            $"SELECT coalesce(json_agg(x.r ORDER BY x.started_at DESC), '[]')::text FROM (SELECT {RunJson} AS r, started_at FROM sentinel.reconcile_run WHERE @pipeline::text IS NULL OR pipeline = @pipeline ORDER BY started_at DESC LIMIT @limit) x");
        command.Parameters.Add(new NpgsqlParameter("pipeline", NpgsqlDbType.Text) { Value = (object?)pipeline ?? DBNull.Value });
        command.Parameters.AddWithValue("limit", limit);
        return (string)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }
}
