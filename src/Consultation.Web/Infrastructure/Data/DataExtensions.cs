using Dapper;

namespace Consultation.Web.Infrastructure.Data;

public static class DataExtensions
{
    public static IServiceCollection AddPortalData(this IServiceCollection services, IConfiguration config)
    {
        services.AddOptions<DatabaseOptions>().Bind(config.GetSection(DatabaseOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<Db>();
        services.AddSingleton<Migrator>();
        services.AddSingleton(TimeProvider.System);
        return services;
    }

    /// <summary>Applies migrations (refusing to start on an edited one) and seeds demo data in Development.</summary>
    public static async Task MigrateAndSeedAsync(this WebApplication app)
    {
        try
        {
            await app.Services.GetRequiredService<Migrator>().MigrateAsync();
        }
        catch (MigrationException ex)
        {
            app.Logger.LogCritical("Database migration failed: {Message}", ex.Message);
            throw;
        }
        var demo = app.Configuration.GetValue("Demo:Seed", app.Environment.IsDevelopment());
        if (demo) await Operations.DemoData.SeedIfEmptyAsync(app.Services, app.Logger);
    }

    /// <summary>GET /healthz: 200 when the database answers, 503 otherwise.</summary>
    public static IEndpointRouteBuilder MapHealthz(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", async (Db db, CancellationToken ct) =>
        {
            try
            {
                await using var conn = await db.OpenAsync(ct);
                await conn.ExecuteScalarAsync<long>("SELECT 1");
                return Results.Text("ok");
            }
            catch (Exception ex) when (ex is System.Data.Common.DbException or IOException or InvalidOperationException)
            {
                return Results.Text("database unavailable", statusCode: StatusCodes.Status503ServiceUnavailable);
            }
        }).AllowAnonymous().DisableRateLimiting();
        return app;
    }
}
