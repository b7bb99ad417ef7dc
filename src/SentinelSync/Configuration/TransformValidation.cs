using SentinelSync.Replication;
using SentinelSync.Replication.Masking;
using SentinelSync.Replication.Postgres;

namespace SentinelSync.Configuration;

/// <summary>
/// Checks the sinks' <c>transforms</c> and the <c>masking</c> section together: each transform on its own, one
/// transform per table and sink, a table the pipeline captures (a misspelt table would otherwise flow unmasked),
/// and the salt and keys the functions in use need. Key columns are not known before the source is read: a
/// transform masking one is refused when the sink meets the table (see <see cref="TableTransform"/>).
/// </summary>
internal static class TransformValidation
{
    public static IReadOnlyList<OptionProblem> Check(SentinelConfig config)
    {
        var problems = new List<OptionProblem>();
        var used = new Dictionary<MaskFunction, string>();
        for (var p = 0; p < config.Pipelines.Count; p++)
        {
            var pipeline = config.Pipelines[p];
            var captured = pipeline.Source?.Postgres?.ParseTables() ?? [];
            for (var s = 0; s < pipeline.Sinks.Count; s++)
            {
                var tables = new HashSet<TableName>();
                var transforms = pipeline.Sinks[s].Transforms;
                for (var t = 0; t < transforms.Count; t++)
                {
                    var transform = transforms[t];
                    var at = $"pipelines[{p}].sinks[{s}].transforms[{t}]";
                    var own = transform.Validate(at);
                    problems.AddRange(own);
                    if (transform.TableName is not { } table)
                    {
                        continue;
                    }

                    if (!tables.Add(table))
                    {
                        problems.Add(new OptionProblem($"{at}.table", $"{table} has an earlier transform in this sink; give each table one entry"));
                    }

                    // A Kafka source's tables are named by its messages, known only once they arrive.
                    if (pipeline.Source?.Kafka is null && !captured.Any(c => c.Schema == table.Schema && (c.IsPattern || c.Table == table.Name)))
                    {
                        problems.Add(new OptionProblem($"{at}.table", $"{table} is not among the tables pipeline '{pipeline.Name}' captures (pipelines[{p}].source.postgres.tables)"));
                    }

                    if (own.Count == 0)
                    {
                        foreach (var (column, function) in transform.Masks())
                        {
                            used.TryAdd(function, $"{at}.mask.{column}");
                        }
                    }
                }
            }
        }

        problems.AddRange(config.Masking.Validate(used));
        return problems;
    }
}
