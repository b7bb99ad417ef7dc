using Orleans.Dashboard;

namespace SentinelSync.Hosting;

/// <summary>
/// Serves the Orleans dashboard under <c>/orleans</c> from endpoints built on its first request rather than at
/// start. Mapping them creates the dashboard's asset provider, which reads and gzips every embedded asset: about
/// 15 % of a silo's start-up CPU, paid again by every restart (and by the backlog a restart drains), for a page
/// most silos never serve.
/// </summary>
internal static class LazyOrleansDashboard
{
    public static void MapLazyOrleansDashboard(this WebApplication app, string routePrefix)
    {
        var dashboard = new Lazy<RequestDelegate>(
            () =>
            {
                // A branch of its own (not app.New(), which shares the application's endpoint builder): its routing
                // matches only the dashboard's endpoints, so nothing is added to the application's routes.
                var branch = new ApplicationBuilder(app.Services);
                branch.UseRouting();
                branch.UseEndpoints(endpoints => endpoints.MapOrleansDashboard(routePrefix));
                return branch.Build();
            },
            LazyThreadSafetyMode.ExecutionAndPublication);
        app.MapWhen(
            context => context.Request.Path.StartsWithSegments(routePrefix, StringComparison.OrdinalIgnoreCase),
            branch => branch.Run(context => dashboard.Value(context)));
    }
}
