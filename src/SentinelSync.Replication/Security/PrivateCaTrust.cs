using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace SentinelSync.Replication.Security;

/// <summary>
/// Trust in one private CA instead of the system's: a server certificate is accepted when it chains to a certificate
/// of the PEM file and names the host. Used by every HTTPS client that takes a CA file (ClickHouse's
/// <c>caFile</c>, Vault's <c>vault.caFile</c>, the admin verbs' <c>SENTINEL_CA_FILE</c>).
/// </summary>
public static class PrivateCaTrust
{
    /// <summary>
    /// The CA certificates of a PEM file (none: nothing is trusted); throws <see cref="System.Security.Cryptography.CryptographicException"/>
    /// or <see cref="IOException"/> when it cannot be read.
    /// </summary>
    public static X509Certificate2Collection Load(string pemFile)
    {
        var ca = new X509Certificate2Collection();
        ca.ImportFromPemFile(pemFile);
        return ca;
    }

    /// <summary>A certificate check that accepts only chains to <paramref name="ca"/>, for the name the client asked for.</summary>
    public static RemoteCertificateValidationCallback Validator(X509Certificate2Collection ca) =>
        (_, certificate, _, errors) => certificate is X509Certificate2 server && ChainsTo(server, ca, errors);

    private static bool ChainsTo(X509Certificate2 certificate, X509Certificate2Collection ca, SslPolicyErrors errors)
    {
        if ((errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0 || (errors & SslPolicyErrors.RemoteCertificateNotAvailable) != 0)
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
