using Consultation.Web.Infrastructure.Data;
using Consultation.Web.Operations;
using Dapper;
using Microsoft.Extensions.DependencyInjection;

namespace Consultation.Web.Tests.Pages.Evidence;

/// <summary>Seeding by SQL and signing in, shared by the evidence tests.</summary>
public static class EvidenceSteps
{
    public static async Task<long> SeedWorkedExampleAsync(PortalFactory app, string title)
    {
        _ = app.Server;
        return await EvidenceDemo.SeedWorkedExampleAsync(app.Services.GetRequiredService<Db>(), DateTimeOffset.UtcNow, title);
    }

    public static async Task<HttpClient> SignedInAsync(PortalFactory app, string email)
    {
        var client = app.CreateBrowserLikeClient();
        var login = await Forms.LoginAsync(client, email);
        Assert.Equal(System.Net.HttpStatusCode.Redirect, login.StatusCode);
        return client;
    }

    public static Task<HttpClient> CoordinatorAsync(PortalFactory app) => SignedInAsync(app, "coordinator@demo.local");

    /// <summary>A workshop in the round with one INDICATORS exercise; returns the exercise id.</summary>
    public static async Task<(long WorkshopId, long ExerciseId)> WorkshopAsync(PortalFactory app, long roundId, string type = "INDICATORS")
    {
        await using var conn = await app.Services.GetRequiredService<Db>().OpenAsync();
        var now = DateTimeOffset.UtcNow;
        var facilitator = await conn.ExecuteScalarAsync<long>("SELECT id FROM users WHERE email = 'facilitator@demo.local'");
        var code = Guid.NewGuid().ToString("N")[..6].ToUpperInvariant();
        var workshopId = await conn.ExecuteScalarAsync<long>("""
            INSERT INTO workshops (round_id, title, scheduled_on, join_code, status, facilitator_user_id, created_at, updated_at)
            VALUES (@roundId, 'Evidence workshop', '2026-11-01', @code, 'Live', @facilitator, @now, @now) RETURNING id
            """, new { roundId, code, facilitator, now });
        var exerciseId = await conn.ExecuteScalarAsync<long>("""
            INSERT INTO exercises (workshop_id, position, type, state, updated_at) VALUES (@workshopId, 1, @type, 'Open', @now) RETURNING id
            """, new { workshopId, type, now });
        return (workshopId, exerciseId);
    }

    public static async Task<long> ParticipantAsync(PortalFactory app, long workshopId, string category, long? organisationId = null)
    {
        await using var conn = await app.Services.GetRequiredService<Db>().OpenAsync();
        var now = DateTimeOffset.UtcNow;
        return await conn.ExecuteScalarAsync<long>("""
            INSERT INTO participants (workshop_id, token_hash, display_name, category, organisation_id, joined_at, last_seen)
            VALUES (@workshopId, @hash, 'Participant', @category, @organisationId, @now, @now) RETURNING id
            """, new { workshopId, hash = Guid.NewGuid().ToString("N"), category, organisationId, now });
    }

    public static async Task ScoreAsync(PortalFactory app, long exerciseId, long participantId, string itemKey, int value, int? value2 = null)
    {
        await using var conn = await app.Services.GetRequiredService<Db>().OpenAsync();
        await conn.ExecuteAsync("""
            INSERT INTO scores (exercise_id, participant_id, item_key, value, value2, updated_at) VALUES (@exerciseId, @participantId, @itemKey, @value, @value2, @now)
            """, new { exerciseId, participantId, itemKey, value, value2, now = DateTimeOffset.UtcNow });
    }

    public static async Task<long> OrganisationIdAsync(PortalFactory app, string name)
    {
        await using var conn = await app.Services.GetRequiredService<Db>().OpenAsync();
        return await conn.ExecuteScalarAsync<long>("SELECT id FROM organisations WHERE name = @name", new { name });
    }
}
