using System.Security.Cryptography;
using System.Text;

namespace SentinelSync.Admin;

/// <summary>
/// Requires <c>Authorization: Bearer &lt;token&gt;</c> on <c>/api/*</c> when a token is configured; health,
/// readiness, metrics, the OpenAPI description and the dashboard page itself (which holds no data) stay open.
/// </summary>
internal static class AdminTokenMiddleware
{
    public static void UseAdminToken(this WebApplication app, string? token)
    {
        if (string.IsNullOrEmpty(token))
        {
            return;
        }

        var expected = Encoding.UTF8.GetBytes(token);
        app.Use(async (context, next) =>
        {
            if (!context.Request.Path.StartsWithSegments("/api", StringComparison.Ordinal) || Authorized(context.Request, expected))
            {
                await next(context);
                return;
            }

            context.Response.Headers.WWWAuthenticate = "Bearer";
            await Results.Json(
                new { error = "Unauthorized", message = "This silo's admin API needs 'Authorization: Bearer <token>' (silo.token / SENTINEL_TOKEN)." },
                statusCode: StatusCodes.Status401Unauthorized).ExecuteAsync(context);
        });
    }

    private static bool Authorized(HttpRequest request, byte[] expected)
    {
        var header = request.Headers.Authorization.ToString();
        const string scheme = "Bearer ";
        if (!header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        // Constant time, so the comparison does not tell an attacker how much of a guess was right.
        return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(header[scheme.Length..].Trim()), expected);
    }
}
