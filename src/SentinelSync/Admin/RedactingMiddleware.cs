using SentinelSync.Configuration;

namespace SentinelSync.Admin;

/// <summary>
/// The last line of defence for the admin API and the metrics: every <c>/api/*</c> and <c>/metrics</c> response
/// body is buffered and any secret of this silo in it (an error text from a destination, a grain's exception
/// message, a dead letter's error; in <c>/metrics</c> Npgsql's pool names, which are connection strings without
/// their <c>Password</c>) is replaced by <see cref="ConnectionStrings.Mask"/> before it leaves. Bodies are small
/// JSON documents, or tens of kilobytes of metrics.
/// </summary>
internal static class RedactingMiddleware
{
    public static void UseRedactedApi(this WebApplication app, Redactor redactor)
    {
        if (redactor.IsEmpty)
        {
            return;
        }

        app.Use(async (context, next) =>
        {
            var metrics = context.Request.Path.StartsWithSegments("/metrics", StringComparison.Ordinal);
            if (!metrics && !context.Request.Path.StartsWithSegments("/api", StringComparison.Ordinal))
            {
                await next(context);
                return;
            }

            if (metrics)
            {
                // The Prometheus exporter gzips for scrapers that accept it, and a compressed body cannot be searched.
                context.Request.Headers.AcceptEncoding = default;
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
            }

            var text = System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
            if (!redactor.Finds(text))
            {
                buffer.Position = 0;
                await buffer.CopyToAsync(original, context.RequestAborted);
                return;
            }

            var body = System.Text.Encoding.UTF8.GetBytes(redactor.Redact(text)!);
            context.Response.ContentLength = body.Length;
            await original.WriteAsync(body, context.RequestAborted);
        });
    }
}
