using System.Text;

namespace SentinelSync.Replication.Cassandra.Protocol.Requests;

/// <summary>AUTH_RESPONSE: the SASL token answering AUTHENTICATE or AUTH_CHALLENGE.</summary>
public sealed class AuthResponseRequest(byte[]? token) : CqlRequest
{
    public byte[]? Token { get; } = token;

    public override CqlOpcode Opcode => CqlOpcode.AuthResponse;

    /// <summary>PasswordAuthenticator's PLAIN token: NUL, user, NUL, password (UTF-8).</summary>
    public static AuthResponseRequest Plain(string username, string password)
    {
        var token = new List<byte> { 0 };
        token.AddRange(Encoding.UTF8.GetBytes(username));
        token.Add(0);
        token.AddRange(Encoding.UTF8.GetBytes(password));
        return new AuthResponseRequest([.. token]);
    }

    public override void WriteBody(CqlWriter writer)
    {
        if (Token is null)
        {
            writer.WriteInt(-1);
        }
        else
        {
            writer.WriteBytes(Token);
        }
    }
}
