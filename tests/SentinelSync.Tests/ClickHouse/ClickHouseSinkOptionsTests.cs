using SentinelSync.Replication.ClickHouse;

namespace SentinelSync.Tests.ClickHouse;

/// <summary><c>clickhouse.caFile</c>: checked when the options are, with the key named and the reason.</summary>
public sealed class ClickHouseSinkOptionsTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("sentinel-ch-ca-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void A_CA_file_is_taken_for_an_https_url_and_refused_for_plain_http_missing_or_not_PEM()
    {
        var ca = Path.Combine(_directory, "ca.pem");
        using (var key = System.Security.Cryptography.RSA.Create(2048))
        {
            var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=test CA", key, System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1);
            using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(1));
            File.WriteAllText(ca, certificate.ExportCertificatePem());
        }

        var notPem = Path.Combine(_directory, "not.pem");
        File.WriteAllText(notPem, "hello");

        Options("https://ch.internal:8443", ca).Validate().ShouldBeEmpty();

        var plain = Options("http://127.0.0.1:8123", ca).Validate().ShouldHaveSingleItem();
        plain.Key.ShouldBe("clickhouse.caFile");
        plain.ToString().ShouldContain("https:// url only");

        var missing = Options("https://ch.internal:8443", Path.Combine(_directory, "nope.pem")).Validate().ShouldHaveSingleItem();
        missing.Key.ShouldBe("clickhouse.caFile");
        missing.ToString().ShouldContain("nope.pem cannot be read");

        Options("https://ch.internal:8443", notPem).Validate().ShouldHaveSingleItem().ToString().ShouldContain("holds no PEM certificate");
    }

    private static ClickHouseSinkOptions Options(string url, string caFile) => new() { Url = url, Database = "analytics", CaFile = caFile };
}
