using SentinelSync.Replication.Security;

namespace SentinelSync.Configuration;

/// <summary>
/// Trust in one private CA instead of the system's (<see cref="PrivateCaTrust"/>): used by the Vault client
/// (<c>vault.caFile</c>) and the admin verbs (<c>SENTINEL_CA_FILE</c>).
/// </summary>
internal static class PrivateCa
{
    /// <summary>An HTTP handler that trusts only the CA certificates of <paramref name="pemFile"/>.</summary>
    public static HttpClientHandler Handler(string pemFile)
    {
        var validator = PrivateCaTrust.Validator(PrivateCaTrust.Load(pemFile));
        return new HttpClientHandler { ServerCertificateCustomValidationCallback = (request, certificate, chain, errors) => validator(request, certificate, chain, errors) };
    }
}
