namespace SentinelSync.IntegrationTests.Pipelines.TypeCorpus;

/// <summary>
/// One type of the corpus: its table <c>t_{Name}</c> and four distinct values as SQL literals. A keyable type
/// is the table's primary key <i>and</i> its non-key column (<c>k T PRIMARY KEY, v T</c>); a type without a
/// btree operator class (json, xml, geometry) is a non-key column beside an integer key.
/// </summary>
internal sealed record TypeCase(string Name, string Type, bool Keyable, string A, string B, string C, string D)
{
    public string Table => "t_" + Name;

    private string KeyType => Keyable ? Type : "integer";

    private (string A, string B, string C, string D) Keys => Keyable ? (A, B, C, D) : ("1", "2", "3", "4");

    public string Create => $"CREATE TABLE public.{Table} (k {KeyType} PRIMARY KEY, v {Type});";

    /// <summary>Before the pipeline starts: copied by the snapshot.</summary>
    public string Seed => $"INSERT INTO public.{Table} VALUES ({Keys.A}, {A}), ({Keys.B}, NULL);";

    /// <summary>Removes the second seed row (b, NULL), before a restarted snapshot.</summary>
    public string DeleteSecondSeedRow => $"DELETE FROM public.{Table} WHERE k = ({Keys.B})::{KeyType};";

    /// <summary>Puts the second seed row back, streamed.</summary>
    public string InsertSecondSeedRow => $"INSERT INTO public.{Table} VALUES ({Keys.B}, NULL);";

    /// <summary>
    /// While streaming: an insert, an update of the non-key column, an update of the key, a delete, an insert
    /// of a key just deleted. Leaves (a, c), (d, NULL), (c, b). Keys are cast in predicates: an untyped literal
    /// compared with a composite is an anonymous record to Postgres, at the source as anywhere.
    /// </summary>
    public string Stream => $"""
        INSERT INTO public.{Table} VALUES ({Keys.C}, {A});
        UPDATE public.{Table} SET v = {C} WHERE k = ({Keys.A})::{KeyType};
        UPDATE public.{Table} SET k = {Keys.D} WHERE k = ({Keys.B})::{KeyType};
        DELETE FROM public.{Table} WHERE k = ({Keys.C})::{KeyType};
        INSERT INTO public.{Table} VALUES ({Keys.C}, {B});
        """;
}
