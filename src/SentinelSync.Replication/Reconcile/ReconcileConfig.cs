using Cronos;

namespace SentinelSync.Replication.Reconcile;

/// <summary>
/// A pipeline's scheduled reconcile (config <c>pipelines[n].reconcile</c>):
/// <c>reconcile: { schedule: "0 2 * * *", mode: checksum, repair: false }</c>. The schedule is a five-field cron
/// expression in UTC; each occurrence runs once in the cluster.
/// </summary>
public sealed class ReconcileConfig
{
    public const string SectionName = "reconcile";

    public string? Schedule { get; set; }

    public ReconcileMode Mode { get; set; } = ReconcileMode.Checksum;

    public bool Repair { get; set; }

    /// <summary>The parsed schedule (null without one).</summary>
    public CronExpression? Cron => string.IsNullOrWhiteSpace(Schedule) ? null : CronExpression.Parse(Schedule, CronFormat.Standard);

    public IReadOnlyList<OptionProblem> Validate(string section = SectionName)
    {
        var problems = new List<OptionProblem>();
        if (string.IsNullOrWhiteSpace(Schedule))
        {
            problems.Add(new OptionProblem($"{section}.schedule", "required: a five-field cron expression in UTC, e.g. \"0 2 * * *\" (02:00 every day)"));
        }
        else
        {
            try
            {
                _ = CronExpression.Parse(Schedule, CronFormat.Standard);
            }
            catch (CronFormatException e)
            {
                problems.Add(new OptionProblem($"{section}.schedule", $"'{Schedule}' is not a five-field cron expression: {e.Message}"));
            }
        }

        if (!Enum.IsDefined(Mode))
        {
            problems.Add(new OptionProblem($"{section}.mode", "must be count, checksum or rows"));
        }

        if (new ReconcileRequest([], null, Mode, Repair).Problem() is { } problem)
        {
            problems.Add(new OptionProblem($"{section}.repair", problem));
        }

        return problems;
    }
}
