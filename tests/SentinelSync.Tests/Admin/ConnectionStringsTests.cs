using SentinelSync.Configuration;

namespace SentinelSync.Tests.Admin;

public sealed class ConnectionStringsTests
{
    [Fact]
    public void The_password_is_masked_and_everything_else_kept()
    {
        var masked = ConnectionStrings.Masked("Host=db;Port=5433;Database=shop;Username=app;Password=s3cr3t!");

        masked.ShouldNotContain("s3cr3t!");
        masked.ShouldContain("Password=********");
        masked.ShouldContain("Host=db");
        masked.ShouldContain("Database=shop");
    }

    [Fact]
    public void Other_spellings_of_the_password_key_are_masked_too()
    {
        ConnectionStrings.Masked("Host=db;PWD=hunter2").ShouldNotContain("hunter2");
        ConnectionStrings.Password("Host=db;PWD=hunter2").ShouldBe("hunter2");
    }

    [Fact]
    public void A_string_that_does_not_parse_is_not_shown()
    {
        ConnectionStrings.Masked("Host=db;Password=abc;Nonsense").ShouldNotContain("abc");
    }

    [Fact]
    public void Without_a_password_nothing_changes_but_the_normal_form()
    {
        ConnectionStrings.Masked("Host=db;Username=app").ShouldBe("Host=db;Username=app");
        ConnectionStrings.Password("Host=db;Username=app").ShouldBeNull();
    }
}
