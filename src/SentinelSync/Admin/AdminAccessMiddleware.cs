using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using SentinelSync.Configuration;

namespace SentinelSync.Admin;

/// <summary>
/// Authentication, roles and the audit trail of the admin API (<c>/api/*</c>). With tokens configured, a request
/// needs <c>Authorization: Bearer &lt;token&gt;</c> of one of them (401 otherwise); a state-changing request
/// (any method but GET and HEAD) needs an operator's token (403 with the reason for a viewer's). Every
/// state-changing request, allowed or refused, is written to the audit trail with the token's id, the arguments
/// (secrets masked) and the result. Health, readiness, metrics, the OpenAPI description and the dashboard page
/// (which holds no data) stay open.
/// </summary>
internal static partial class AdminAccessMiddleware
{
    /// <summary>Who calls a silo that has no token: only loopback can reach it (see <see cref="AdminAccess.Problem"/>).</summary>
    private static readonly AdminIdentity s_anonymous = new("anonymous", "", AdminRole.Operator);

    /// <summary>Arguments beyond this are cut in the audit trail: it records calls, not bulk data.</summary>
    private const int MaxArgumentBytes = 16 * 1024;

    private static readonly string[] s_secretNames = ["password", "token", "pwd", "secret", "apikey", "api_key"];

    public static void UseAdminAccess(this WebApplication app, SentinelConfig config, Redactor redactor)
    {
        var identities = AdminAccess.Identities(config.Silo);
        var tokens = identities.Select(i => (Identity: i, Bytes: Encoding.UTF8.GetBytes(i.Token))).ToList();
        var audit = app.Services.GetRequiredService<AuditLog>();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(AuditLog));
        var silo = config.Silo.Name!;

        app.Use(async (context, next) =>
        {
            var request = context.Request;
            if (!request.Path.StartsWithSegments("/api", StringComparison.Ordinal))
            {
                await next(context);
                return;
            }

            var changes = !HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method);
            var who = tokens.Count == 0 ? s_anonymous : Authenticate(request, tokens);
            var action = $"{request.Method} {request.Path}";
            if (who is null)
            {
                if (changes)
                {
                    await RecordAsync("(no valid token)", "-", StatusCodes.Status401Unauthorized, "refused: no valid token", null);
                }

                context.Response.Headers.WWWAuthenticate = "Bearer";
                await Results.Json(
                    new { error = "Unauthorized", message = "This silo's admin API needs 'Authorization: Bearer <token>' (silo.token / SENTINEL_TOKEN, or a silo.tokens entry)." },
                    statusCode: StatusCodes.Status401Unauthorized).ExecuteAsync(context);
                return;
            }

            if (!changes)
            {
                await next(context);
                return;
            }

            var arguments = await ArgumentsAsync(request, redactor);
            if (who.Role != AdminRole.Operator)
            {
                var message = $"Token '{who.Id}' has the role {Role(who)}, which may only read; {action} changes state and needs an operator token.";
                await RecordAsync(who.Id, Role(who), StatusCodes.Status403Forbidden, "refused: " + message, arguments);
                await Results.Json(new { error = "Forbidden", message }, statusCode: StatusCodes.Status403Forbidden).ExecuteAsync(context);
                return;
            }

            var original = context.Response.Body;
            await using var buffer = new MemoryStream();
            context.Response.Body = buffer;
            try
            {
                await next(context);
            }
            finally
            {
                context.Response.Body = original;
                buffer.Position = 0;
                await buffer.CopyToAsync(original, context.RequestAborted);
            }

            var status = context.Response.StatusCode;
            await RecordAsync(who.Id, Role(who), status, status < 400 ? "ok" : "failed: " + ErrorMessage(buffer), arguments);

            async Task RecordAsync(string tokenId, string role, int status, string result, string? args)
            {
                try
                {
                    await audit.RecordAsync(silo, tokenId, role, action, args, status, redactor.Redact(result)!, CancellationToken.None);
                }
                catch (Exception e) when (e is Npgsql.NpgsqlException or TimeoutException)
                {
                    // The call itself is done (or refused); losing its record must be loud.
                    LogAuditFailed(logger, action, tokenId, status, redactor.Redact(e.Message)!);
                }
            }
        });
    }

    private static string Role(AdminIdentity who) => who.Role.ToString().ToLowerInvariant();

    /// <summary>The identity whose token the request bears; every token is compared, in constant time, so timing tells nothing.</summary>
    private static AdminIdentity? Authenticate(HttpRequest request, List<(AdminIdentity Identity, byte[] Bytes)> tokens)
    {
        var header = request.Headers.Authorization.ToString();
        const string scheme = "Bearer ";
        if (!header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var presented = Encoding.UTF8.GetBytes(header[scheme.Length..].Trim());
        AdminIdentity? match = null;
        foreach (var (identity, bytes) in tokens)
        {
            if (CryptographicOperations.FixedTimeEquals(presented, bytes))
            {
                match = identity;
            }
        }

        return match;
    }

    /// <summary>
    /// The query and the body as JSON, with the values of secret-named fields masked and every secret the silo
    /// knows redacted; null when there are none.
    /// </summary>
    private static async Task<string?> ArgumentsAsync(HttpRequest request, Redactor redactor)
    {
        var arguments = new JsonObject();
        if (request.Query.Count > 0)
        {
            var query = new JsonObject();
            foreach (var (name, value) in request.Query)
            {
                query[name] = IsSecretName(name) ? Masked : value.ToString();
            }

            arguments["query"] = query;
        }

        request.EnableBuffering();
        var bytes = new byte[MaxArgumentBytes + 1];
        var read = 0;
        int n;
        while (read < bytes.Length && (n = await request.Body.ReadAsync(bytes.AsMemory(read), request.HttpContext.RequestAborted)) > 0)
        {
            read += n;
        }

        request.Body.Position = 0;
        if (read > 0)
        {
            var text = Encoding.UTF8.GetString(bytes, 0, Math.Min(read, MaxArgumentBytes));
            try
            {
                var body = Mask(JsonNode.Parse(text));
                if (IsErasure(request))
                {
                    MaskErasureKey(body);
                }

                arguments["body"] = read > MaxArgumentBytes ? text + " …(cut)" : body;
            }
            catch (JsonException)
            {
                // An erasure's body that is not JSON may still hold the key: kept out whole.
                arguments["body"] = IsErasure(request) ? Masked : text;
            }
        }

        return arguments.Count == 0 ? null : redactor.Redact(arguments.ToJsonString());
    }

    private const string Masked = "********";

    private static JsonNode? Mask(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (name, value) in obj.ToList())
                {
                    obj[name] = IsSecretName(name) && value is not null ? Masked : Mask(value?.DeepClone());
                }

                return obj;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    array[i] = Mask(array[i]?.DeepClone());
                }

                return array;
            default:
                return node;
        }
    }

    private static bool IsErasure(HttpRequest request) => request.Path.Value?.EndsWith("/erase", StringComparison.Ordinal) == true;

    /// <summary>
    /// An erasure's key identifies a person: the trail keeps which columns were named (and the reason), not their
    /// values, so the record of an erasure does not itself keep the data erased.
    /// </summary>
    private static void MaskErasureKey(JsonNode? body)
    {
        if (body is not JsonObject obj)
        {
            return;
        }

        if (obj["key"] is JsonObject key)
        {
            foreach (var (name, _) in key.ToList())
            {
                key[name] = Masked;
            }
        }

        if (obj.ContainsKey("value"))
        {
            obj["value"] = Masked;
        }
    }

    private static bool IsSecretName(string name) => s_secretNames.Any(s => name.Contains(s, StringComparison.OrdinalIgnoreCase));

    private static string ErrorMessage(MemoryStream body)
    {
        try
        {
            using var document = JsonDocument.Parse(body.ToArray());
            return document.RootElement.TryGetProperty("message", out var message) ? message.GetString() ?? "" : document.RootElement.ToString();
        }
        catch (JsonException)
        {
            return Encoding.UTF8.GetString(body.ToArray());
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Audit trail: could not record {Action} by {TokenId} (status {Status}): {Error}")]
    private static partial void LogAuditFailed(ILogger logger, string action, string tokenId, int status, string error);
}
