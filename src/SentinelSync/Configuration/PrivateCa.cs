using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace SentinelSync.Configuration;

/// <summary>
/// Trust in one private CA instead of the system's: a server certificate is accepted when it chains to a
/// certificate of the PEM file and names the host. Used by the Vault client (<c>vault.caFile</c>) and the admin
/// verbs (<c>SENTINEL_CA_FILE</c>).
/// </summary>
internal static class PrivateCa
{
    /// <summary>An HTTP handler that trusts only the CA certificates of <paramref name="pemFile"/>.</summary>
    public static HttpClientHandler Handler(string pemFile)
    {
        var ca = new X509Certificate2Collection();
        ca.ImportFromPemFile(pemFile);
        return new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, certificate, _, errors) => certificate is not null && ChainsTo(certificate, ca, errors) };
    }

    private static bool ChainsTo(X509Certificate2 certificate, X509Certificate2Collection ca, SslPolicyErrors errors)
    {
        if ((errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.CustomTrustStore.AddRange(ca);
        return chain.Build(certificate);
    }
}
