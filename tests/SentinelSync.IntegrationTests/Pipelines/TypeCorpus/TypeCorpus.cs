namespace SentinelSync.IntegrationTests.Pipelines.TypeCorpus;

/// <summary>
/// The types a Postgres source may hold, for end-to-end Postgres to Postgres tests: every built-in family, the
/// contrib types of Debian's postgresql-contrib, and user-defined enums, composites (nested, with arrays),
/// domains (one with a CHECK calling a SQL function), ranges and multiranges, arrays of them, and a type in a
/// schema of its own. Only the source gets <see cref="SourceTypes"/>: the destination must get its types and
/// extensions from the sink.
/// </summary>
internal static class TypeCorpus
{
    public const string SourceTypes = """
        CREATE EXTENSION hstore;
        CREATE EXTENSION citext;
        CREATE EXTENSION ltree;
        CREATE EXTENSION cube;
        CREATE EXTENSION earthdistance;
        CREATE EXTENSION isn;
        CREATE EXTENSION seg;
        CREATE EXTENSION lo;
        CREATE EXTENSION intarray;
        CREATE SCHEMA app;
        CREATE TYPE app.status AS ENUM ('new', 'done', 'it''s', 'x y');
        CREATE TYPE public.mood AS ENUM ('sad', 'ok', 'happy ☺', 'meh');
        CREATE TYPE public.pair AS (a integer, "B c" text);
        CREATE TYPE public.nest AS (p public.pair, moods public.mood[], pairs public.pair[], status app.status);
        CREATE FUNCTION public.is_even(v integer) RETURNS boolean LANGUAGE sql IMMUTABLE AS 'SELECT v % 2 = 0';
        CREATE DOMAIN public.even AS integer CONSTRAINT even_check CHECK (public.is_even(VALUE));
        CREATE DOMAIN public.email AS citext DEFAULT 'nobody@example.org' CHECK (VALUE LIKE '%_@_%');
        CREATE TYPE public.floatrange AS RANGE (subtype = float8, subtype_diff = float8mi, multirange_type_name = public.floatranges);
        """;

    public static readonly TypeCase[] Cases =
    [
        // Numbers.
        new("int2", "smallint", true, "-32768", "0", "32767", "7"),
        new("int4", "integer", true, "-2147483648", "0", "2147483647", "7"),
        new("int8", "bigint", true, "-9223372036854775808", "0", "9223372036854775807", "7"),
        new("numeric", "numeric", true, "'-1.5'", "'0.000000000000000000001'", "'NaN'", "'123456789012345678901234567890.50'"),
        new("numeric_ps", "numeric(12,3)", true, "1.5", "-0.001", "999999999.999", "0"),
        new("float4", "real", true, "'-Infinity'", "1.5", "'NaN'", "3.4028235e+38"),
        new("float8", "double precision", true, "-0.1", "1e-300", "'Infinity'", "5e-324"),
        new("money", "money", true, "'-92233720368547758.08'", "'0'", "'1.23'", "'92233720368547758.07'"),

        // Characters and bytes.
        new("text", "text", true, "E'tab\\there\\nnew line'", "''", "'é 日本 🎉'", "'quote''s \"dq\" \\ backslash'"),
        new("varchar", "varchar(10)", true, "'héllo'", "''", "'x'", "'ten chars!'"),
        new("bpchar", "char(5)", true, "'ab'", "''", "'abcde'", "' x'"),
        new("char", "\"char\"", true, "'a'", "'b'", "'Z'", "'!'"),
        new("name", "name", true, "'n1'", "''", "'Ünïcode'", "'x y'"),
        new("bytea", "bytea", true, "'\\x00ff'", "'\\x'", "'\\x5c5c'", "'\\xdeadbeef'"),

        // Time.
        new("date", "date", true, "'-infinity'", "'2000-02-29'", "'4713-01-01 BC'", "'infinity'"),
        new("time", "time", true, "'00:00'", "'24:00:00'", "'23:59:59.999999'", "'12:34:56.5'"),
        new("timetz", "timetz", true, "'00:00:00+14:59'", "'23:59:59.999999-15:59'", "'12:00+00'", "'12:00+01'"),
        new("timestamp3", "timestamp(3)", true, "'-infinity'", "'2000-01-01 00:00:00.123'", "'infinity'", "'1999-12-31 23:59:59.999'"),
        new("timestamptz", "timestamptz", true, "'-infinity'", "'2000-01-01 00:00:00+00'", "'infinity'", "'2020-06-01 12:34:56.789012+02'"),
        new("interval", "interval", true, "'-178000000 years'", "'1 day'", "'0'", "'1 mon -1 day 00:00:01.5'"),

        // Others built in.
        new("bool", "boolean", false, "true", "false", "false", "true"),
        new("uuid", "uuid", true, "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'", "'00000000-0000-0000-0000-000000000000'", "'ffffffff-ffff-ffff-ffff-ffffffffffff'", "'12345678-1234-1234-1234-123456789abc'"),
        new("json", "json", false, "'{\"a\": [1, \"x\"],  \"a\": null}'", "'[]'", "'null'", "'\"s\"'"),
        new("jsonb", "jsonb", true, "'{\"a\": [1, \"x\"]}'", "'[]'", "'null'", "'{\"b\": {\"c\": 1.50}}'"),
        new("xml", "xml", false, "'<a b=\"1\">x &amp; y<c/></a>'", "'<?xml version=\"1.0\"?><r/>'", "''", "'text only'"),
        new("inet", "inet", true, "'10.0.0.1'", "'2001:db8::1/64'", "'0.0.0.0'", "'192.168.0.1/24'"),
        new("cidr", "cidr", true, "'10.0.0.0/8'", "'::/0'", "'192.168.1.0/24'", "'2001:db8::/32'"),
        new("macaddr", "macaddr", true, "'08:00:2b:01:02:03'", "'00:00:00:00:00:00'", "'ff:ff:ff:ff:ff:ff'", "'08:00:2b:01:02:04'"),
        new("macaddr8", "macaddr8", true, "'08:00:2b:01:02:03:04:05'", "'00:00:00:00:00:00:00:00'", "'ff:ff:ff:ff:ff:ff:ff:ff'", "'08:00:2b:ff:fe:01:02:03'"),
        new("bit", "bit(4)", true, "B'1010'", "B'0000'", "B'1111'", "B'0101'"),
        new("varbit", "bit varying", true, "B'1'", "B''", "B'101010'", "B'0'"),
        new("tsvector", "tsvector", true, "'a fat cat'", "''", "'x:1A y:2B'", "'quote''s'"),
        new("tsquery", "tsquery", true, "'a & b'", "'x'", "'!y'", "'a | (b <-> c)'"),
        new("pg_lsn", "pg_lsn", true, "'0/0'", "'16/B374D848'", "'FFFFFFFF/FFFFFFFF'", "'1/1'"),
        new("oid", "oid", true, "0", "4294967295", "1", "42"),
        new("point", "point", false, "'(1.5,-2)'", "'(0,0)'", "'(-1e+300,1e-300)'", "'(NaN,Infinity)'"),
        new("line", "line", false, "'{1,-1,0}'", "'{0,1,2}'", "'[(0,0),(1,2)]'", "'{1,0,-3}'"),
        new("lseg", "lseg", false, "'[(0,0),(1,1)]'", "'[(1,2),(3,4)]'", "'[(0,0),(0,0)]'", "'[(-1,-1),(1,1)]'"),
        new("box", "box", false, "'(1,1),(0,0)'", "'(2,2),(2,2)'", "'(3,4),(1,2)'", "'(0,0),(-1,-1)'"),
        new("path", "path", false, "'[(0,0),(1,1),(2,0)]'", "'((0,0),(1,1))'", "'[(1,2)]'", "'((0,0),(1,0),(1,1))'"),
        new("polygon", "polygon", false, "'((0,0),(1,1),(2,0))'", "'((0,0))'", "'((1,2),(3,4))'", "'((0,0),(0,1),(1,1),(1,0))'"),
        new("circle", "circle", false, "'<(0,0),1>'", "'<(1.5,-2),0>'", "'<(1,1),1e+300>'", "'<(0,0),0.5>'"),

        // Ranges, multiranges, arrays.
        new("int4range", "int4range", true, "'empty'", "'[1,5)'", "'(,)'", "'[-10,)'"),
        new("numrange", "numrange", true, "'[1.5,2.5)'", "'empty'", "'(,0]'", "'(1,2)'"),
        new("tstzrange", "tstzrange", true, "'[2020-01-01 00:00+00,infinity)'", "'empty'", "'(,)'", "'[2000-01-01 00:00:00+00,2000-01-02 00:00:00+00]'"),
        new("daterange", "daterange", true, "'[2020-01-01,2020-02-01)'", "'empty'", "'(,)'", "'[2000-01-01,infinity)'"),
        new("int4multirange", "int4multirange", true, "'{}'", "'{[1,3),[5,7)}'", "'{(,)}'", "'{[10,20)}'"),
        new("datemultirange", "datemultirange", true, "'{}'", "'{[2020-01-01,2020-02-01)}'", "'{(,)}'", "'{[2000-01-01,2000-01-03),[2001-01-01,infinity)}'"),
        new("int4_array", "integer[]", true, "'{1,NULL,-3}'", "'{}'", "'{{1,2},{3,4}}'", "'[0:1]={7,8}'"),
        new("text_array", "text[]", true, "'{a,NULL,\"c d\",\"e\\\"f\"}'", "'{}'", "'{{a,b},{c,d}}'", "'{\"\"}'"),

        // Contrib (postgresql-contrib).
        new("hstore", "hstore", true, "'\"a\"=>\"1\", \"b\"=>NULL'", "''", "'\"k\"=>\"v w\"'", "'\"é\"=>\"日本\"'"),
        new("citext", "citext", true, "'Abc'", "''", "'déf'", "'X y'"),
        new("ltree", "ltree", true, "'a.b.c'", "''", "'top'", "'x_y.z'"),
        new("cube", "cube", true, "'(1, 2, 3)'", "'(0)'", "'(1),(2)'", "'(-1.5, 2),(3, 4)'"),
        new("earth", "earth", false, "ll_to_earth(0, 0)", "ll_to_earth(45, 90)", "ll_to_earth(-90, 0)", "ll_to_earth(10.5, -20.25)"),
        new("ean13", "ean13", true, "'9780306406157'", "'9783161484100'", "'4006381333931'", "'5901234123457'"),
        new("isbn13", "isbn13", false, "'978-0-306-40615-7'", "'9783161484100'", "'978-0-306-40615-7'", "'9783161484100'"),
        new("seg", "seg", true, "'1.5'", "'5.0 .. 7.0'", "'~6.5'", "'<1'"),
        new("lo", "lo", true, "0", "1", "42", "4294967295"),
        new("query_int", "query_int", false, "'1&2'", "'1|(2&3)'", "'!4'", "'5'"),

        // User-defined.
        new("mood", "public.mood", true, "'sad'", "'ok'", "'happy ☺'", "'meh'"),
        new("status", "app.status", true, "'new'", "'done'", "'it''s'", "'x y'"),
        new("pair", "public.pair", true, "'(1,x)'", "'(2,\"y z\")'", "'(3,)'", "'(,)'"),
        new("nest", "public.nest", true, "'(\"(1,x)\",\"{sad,ok}\",\"{\"\"(1,a)\"\",NULL}\",new)'", "'(,{},{},)'", "'(\"(2,)\",{meh},,\"it''s\")'", "'(,,,)'"),
        new("even", "public.even", true, "0", "2", "-4", "998"),
        new("email", "public.email", true, "'A@b.c'", "'x@y'", "'Mixed@Case.Org'", "'a.b@c'"),
        new("floatrange", "public.floatrange", true, "'[1.5,2.5)'", "'empty'", "'(,)'", "'[0,0]'"),
        new("floatranges", "public.floatranges", true, "'{}'", "'{[1,2),[3,4)}'", "'{(,)}'", "'{[0,0]}'"),
        new("mood_array", "public.mood[]", true, "'{sad,ok}'", "'{}'", "'{NULL}'", "'{\"happy ☺\"}'"),
        new("pair_array", "public.pair[]", true, "'{\"(1,a)\",NULL}'", "'{}'", "'{\"(,)\"}'", "'{\"(2,\\\"b c\\\")\"}'"),
        new("even_array", "public.even[]", true, "'{0,2}'", "'{}'", "'{NULL}'", "'{4}'"),
        new("status_array", "app.status[]", true, "'{new}'", "'{done,\"it''s\"}'", "'{}'", "'{\"x y\",NULL}'"),
    ];
}
