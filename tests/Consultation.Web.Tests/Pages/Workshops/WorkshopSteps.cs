using System.Collections.Concurrent;
using System.Net;
using Consultation.Web.Workshops;
using Dapper;
using Microsoft.AspNetCore.SignalR.Client;

namespace Consultation.Web.Tests.Pages.Workshops;

/// <summary>Steps the workshop tests share: a round, a workshop made on the Create page, joining on the join page.</summary>
public static class WorkshopSteps
{
    public static Task<long> SeedRoundAsync(PortalFactory app, int minOrganisations = 1) =>
        SeedRoundAsync(app.Connection, minOrganisations);

    /// <summary>For tests that run the app as separate processes on a SQLite file.</summary>
    public static Task<long> SeedRoundAsync(string sqlitePath, int minOrganisations = 1) =>
        SeedRoundAsync(() => Sqlite(sqlitePath), minOrganisations);

    private static Microsoft.Data.Sqlite.SqliteConnection Sqlite(string path) => new($"Data Source={path};Foreign Keys=true");

    public static async Task<long> SeedRoundAsync(Func<System.Data.Common.DbConnection> connect, int minOrganisations = 1)
    {
        await using var conn = connect();
        await conn.OpenAsync();
        var id = await conn.ExecuteScalarAsync<long>("""
            INSERT INTO rounds (title, opens_at, closes_at, status, min_organisations, created_at, updated_at)
            VALUES ('SOCTA 2027 workshop round', '2026-01-01T00:00:00Z', '2030-01-01T00:00:00Z', 'Open', @minOrganisations, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')
            RETURNING id
            """, new { minOrganisations });
        await conn.ExecuteAsync("INSERT INTO round_crime_areas (round_id, crime_area_code) VALUES (@id, 'DRUGS'), (@id, 'THB'), (@id, 'CYBER')", new { id });
        return id;
    }

    public sealed record Agenda(string Type, string Title = "", string Question = "", string Choices = "", bool HideResults = false);

    /// <summary>Creates the workshop through the facilitator's Create page; returns its id.</summary>
    public static async Task<long> CreateWorkshopAsync(HttpClient facilitator, long roundId, string title, string accessMode, params Agenda[] agenda)
    {
        var fields = new Dictionary<string, string>
        {
            ["Input.RoundId"] = roundId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Input.Title"] = title,
            ["Input.ScheduledOn"] = "2026-12-01",
            ["Input.AccessMode"] = accessMode,
        };
        for (var i = 0; i < agenda.Length; i++)
        {
            fields[$"Input.Agenda[{i}].Type"] = agenda[i].Type;
            fields[$"Input.Agenda[{i}].Title"] = agenda[i].Title;
            fields[$"Input.Agenda[{i}].Question"] = agenda[i].Question;
            fields[$"Input.Agenda[{i}].Choices"] = agenda[i].Choices;
            if (agenda[i].HideResults) fields[$"Input.Agenda[{i}].HideResults"] = "true";
        }
        var response = await Forms.PostAsync(facilitator, "/Workshops/Create", fields);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"Create returned {(int)response.StatusCode}: {body[..Math.Min(body.Length, 2000)]}");
        return long.Parse(response.Headers.Location!.OriginalString.Split('/')[^1].Split('?')[0], System.Globalization.CultureInfo.InvariantCulture);
    }

    public static Task<string> JoinCodeAsync(PortalFactory app, long workshopId) => JoinCodeAsync(app.Connection, workshopId);

    public static Task<string> JoinCodeAsync(string sqlitePath, long workshopId) => JoinCodeAsync(() => Sqlite(sqlitePath), workshopId);

    public static async Task<string> JoinCodeAsync(Func<System.Data.Common.DbConnection> connect, long workshopId)
    {
        await using var conn = connect();
        return await conn.ExecuteScalarAsync<string>("SELECT join_code FROM workshops WHERE id = @workshopId", new { workshopId }) ?? "";
    }

    public static Task<T> ScalarAsync<T>(PortalFactory app, string sql, object? args = null) => ScalarAsync<T>(app.Connection, sql, args);

    public static Task<T> ScalarAsync<T>(string sqlitePath, string sql, object? args = null) => ScalarAsync<T>(() => Sqlite(sqlitePath), sql, args);

    public static async Task<T> ScalarAsync<T>(Func<System.Data.Common.DbConnection> connect, string sql, object? args = null)
    {
        await using var conn = connect();
        return (await conn.ExecuteScalarAsync<T>(sql, args))!;
    }

    /// <summary>Joins pseudonymously on the join page (the participant cookie lands in the person's jar).</summary>
    public static async Task JoinAsync(Person person, string code, string name, string category = "NGO")
    {
        var response = await Forms.PostAsync(person.Http, $"/join/{code}",
            new Dictionary<string, string> { ["Input.DisplayName"] = name, ["Input.Category"] = category }, $"/join/{code}?handler=Enter");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
    }

    public static async Task<Person> FacilitatorAsync(LivePortal app)
    {
        var p = new Person(app.BaseUrl);
        Assert.Equal(HttpStatusCode.Redirect, (await Forms.LoginAsync(p.Http, "facilitator@demo.local")).StatusCode);
        return p;
    }
}

/// <summary>Collects what a hub connection receives, and waits for a message that satisfies a condition.</summary>
public sealed class Inbox<T>
{
    private readonly ConcurrentQueue<T> _all = new();

    public Inbox(HubConnection hub, string method) => hub.On<T>(method, m => _all.Enqueue(m));

    public IReadOnlyList<T> All => [.. _all];

    public async Task<T> WaitForAsync(Func<T, bool> condition, int timeoutMs = 5000)
    {
        var deadline = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (true)
        {
            var hit = _all.LastOrDefault(condition);
            if (hit is not null) return hit;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"No matching '{typeof(T).Name}' within {timeoutMs} ms; got {_all.Count} message(s).");
            await Task.Delay(20);
        }
    }
}

public static class HubCalls
{
    public static Task<ParticipantSyncDto> JoinAsync(this HubConnection hub, long workshopId) => hub.InvokeAsync<ParticipantSyncDto>("Join", workshopId);
    public static Task<AckDto> ScoreAsync(this HubConnection hub, long exerciseId, string item, int value, int? value2 = null) =>
        hub.InvokeAsync<AckDto>("Score", exerciseId, item, value, value2);
    public static Task<AckDto> AddFactorAsync(this HubConnection hub, long exerciseId, string dimension, string text) =>
        hub.InvokeAsync<AckDto>("AddFactor", exerciseId, dimension, text);
    public static Task<WatchSyncDto> WatchAsync(this HubConnection hub, long workshopId, bool control) => hub.InvokeAsync<WatchSyncDto>("Watch", workshopId, control);
    public static Task<AckDto> ActAsync(this HubConnection hub, long workshopId, string action) => hub.InvokeAsync<AckDto>("Act", workshopId, action);
}
