using System.Net;
using System.Net.Sockets;
using SentinelSync.Configuration;

namespace SentinelSync.Hosting;

/// <summary>
/// Checks, before the silo starts, that its ports are free: Orleans would otherwise fail after it registered in
/// the membership table, with a socket error that does not say which setting to change.
/// </summary>
internal static class SiloPorts
{
    /// <exception cref="ConfigurationException">A port is in use, naming its key.</exception>
    public static void EnsureFree(string file, SiloConfig silo)
    {
        var address = IPAddress.TryParse(silo.Listen, out var parsed) ? parsed : IPAddress.Any;
        foreach (var (key, port) in silo.Ports)
        {
            try
            {
                using var listener = new TcpListener(address, port);
                listener.Start();
            }
            catch (SocketException e)
            {
                throw new ConfigurationException(file, key, $"port {port} on {address} is not free ({e.SocketErrorCode}): another process listens there; choose another port");
            }
        }
    }
}
