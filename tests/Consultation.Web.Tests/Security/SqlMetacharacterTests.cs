using System.Net;
using Consultation.Web.Tests.Api;
using static Consultation.Web.Tests.Pages.Evidence.EvidenceSteps;

namespace Consultation.Web.Tests.Security;

/// <summary>
/// SQL metacharacters in every query-string and route value the portal reads (filters, drill-down keys, tokens,
/// return URLs, the API's filters): each answers as it does for any other unknown value — the page, a 404 for
/// an unknown key, a 422 field error on the API — never a 500, and an injected <c>OR 1=1</c> widens nothing.
/// </summary>
public sealed class SqlMetacharacterTests(SqlMetacharacterTests.Portal app) : IClassFixture<SqlMetacharacterTests.Portal>
{
    /// <summary>Every metacharacter is one more unknown join code from the same address: lift the guessing limit.</summary>
    public sealed class Portal : PortalFactory
    {
        protected override IEnumerable<KeyValuePair<string, string?>> Settings => [new("Workshops:JoinCodeFailuresPerMinute", "100000")];
    }

    public static TheoryData<string> Metacharacters => ["'", "\"", ";", "--", "%", "_", "\\", "' OR 1=1 --", "\" OR \"\"=\"", "1; DROP TABLE users; --", "%' OR '%'='"];

    private enum Who { Anonymous, Coordinator, Administrator, Api }

    /// <summary>Where a value goes, who asks, and what a value that matches nothing gets.</summary>
    private sealed record Probe(Who Who, string Url, params HttpStatusCode[] Expected);

    private static IEnumerable<Probe> Probes(long roundId, long responseId, string v)
    {
        const HttpStatusCode ok = HttpStatusCode.OK, notFound = HttpStatusCode.NotFound;
        // Evidence filters: an unknown category or source is no filter (the page), on every export too.
        foreach (var handler in new[] { "", "&handler=Csv", "&handler=Json", "&handler=Xlsx", "&handler=Raw" })
        {
            yield return new(Who.Coordinator, $"/Evidence/Index/{roundId}?category={v}{handler}", ok);
            yield return new(Who.Coordinator, $"/Evidence/Index/{roundId}?source={v}{handler}", ok);
        }
        yield return new(Who.Coordinator, $"/Evidence/Index/{roundId}?compare={v}", ok);
        yield return new(Who.Coordinator, $"/Evidence/Report/{roundId}?category={v}&source={v}", ok);
        // A snapshot that cannot be one is no such snapshot (not the live figures printed in its place).
        yield return new(Who.Coordinator, $"/Evidence/Report/{roundId}?category={v}&source={v}&snapshot={v}", notFound);
        yield return new(Who.Coordinator, $"/Evidence/Cell/{roundId}/DRUGS/DAMAGE?category={v}&source={v}", ok);
        yield return new(Who.Coordinator, $"/Evidence/Cell/{roundId}/{v}/DAMAGE", notFound);
        yield return new(Who.Coordinator, $"/Evidence/Cell/{roundId}/DRUGS/{v}", notFound);
        yield return new(Who.Coordinator, $"/Rounds/{roundId}/Responses?questionnaireId={v}", ok);
        yield return new(Who.Coordinator, $"/Rounds/Responses/{responseId}?revision={v}&compare={v}", ok);
        yield return new(Who.Administrator, $"/Admin/Audit?Action={v}", ok);
        yield return new(Who.Administrator, $"/Admin/Audit?actor={v}&q={v}&from={v}&to={v}&before={v}", ok);
        yield return new(Who.Coordinator, $"/Organisations?q={v}&category={v}&country={v}", ok);
        yield return new(Who.Anonymous, $"/Account/Login?ReturnUrl={v}", ok);
        yield return new(Who.Anonymous, $"/Account/LoginWith2fa?ReturnUrl={v}&RememberMe={v}", ok, HttpStatusCode.Redirect);
        yield return new(Who.Anonymous, $"/Account/LoginWithRecoveryCode?ReturnUrl={v}", ok, HttpStatusCode.Redirect);
        yield return new(Who.Anonymous, $"/Account/AcceptInvitation?token={v}", ok);
        yield return new(Who.Anonymous, $"/Account/ResetPassword?userId={v}&code={v}", ok);
        yield return new(Who.Anonymous, $"/join/{v}", notFound);
        // Not an int: no such page, which for an anonymous visitor is the sign-in redirect like any unknown path.
        yield return new(Who.Anonymous, $"/Error/{v}", notFound, HttpStatusCode.Redirect);
        yield return new(Who.Api, $"/api/v1/rounds/{roundId}/evidence?category={v}", HttpStatusCode.UnprocessableEntity);
        yield return new(Who.Api, $"/api/v1/rounds/{roundId}/evidence?source={v}", HttpStatusCode.UnprocessableEntity);
        yield return new(Who.Api, $"/api/v1/rounds/{roundId}/evidence.csv?category={v}&source={v}", HttpStatusCode.UnprocessableEntity);
        yield return new(Who.Api, $"/api/v1/organisations?name={v}", ok);
        yield return new(Who.Api, $"/api/v1/rounds?status={v}", ok);
    }

    [Theory]
    [MemberData(nameof(Metacharacters))]
    public async Task Metacharacters_in_query_and_route_values_get_ordinary_answers_never_500(string metacharacter)
    {
        var (roundId, responseId, clients) = await SeedAsync("Metacharacters");
        var v = Uri.EscapeDataString(metacharacter);

        var wrong = new List<string>();
        foreach (var probe in Probes(roundId, responseId, v))
        {
            var response = await clients[probe.Who].GetAsync(probe.Url);
            if (!probe.Expected.Contains(response.StatusCode))
                wrong.Add($"{probe.Who} GET {probe.Url} → {(int)response.StatusCode}, expected {string.Join(" or ", probe.Expected.Select(s => (int)s))}");
        }
        Assert.True(wrong.Count == 0, string.Join(Environment.NewLine, wrong));
    }

    [Theory]
    [MemberData(nameof(Metacharacters))]
    public async Task An_injected_audit_filter_matches_no_entries_instead_of_all(string metacharacter)
    {
        var admin = await SignedInAsync(app, "admin@demo.local");

        var html = await admin.GetStringAsync("/Admin/Audit?Action=" + Uri.EscapeDataString(metacharacter));
        var all = await admin.GetStringAsync("/Admin/Audit");

        // Signing in wrote at least one entry, so the unfiltered list has rows and the filtered one must not.
        Assert.Contains("<tbody", all, StringComparison.Ordinal);
        Assert.True(CountRows(all) > 0, "the unfiltered audit log shows no entries");
        Assert.Equal(0, CountRows(html));
    }

    /// <summary>
    /// A NUL character (no one types one; PostgreSQL refuses it in text, so a filter's query or an insert would fail)
    /// in any query or form value: a 400, never a 500 — on SQLite and on PostgreSQL (this class runs on both).
    /// </summary>
    [Fact]
    public async Task A_nul_character_in_any_value_is_a_400_never_a_500()
    {
        var (roundId, responseId, clients) = await SeedAsync("NUL");

        var wrong = new List<string>();
        // In the query string only: a NUL in the path is refused by the server before the application sees it.
        foreach (var probe in Probes(roundId, responseId, "a%00b").Where(p => p.Url.IndexOf('?', StringComparison.Ordinal) is >= 0 and var q && p.Url.IndexOf("a%00b", StringComparison.Ordinal) > q))
        {
            var response = await clients[probe.Who].GetAsync(probe.Url);
            if ((int)response.StatusCode >= 500) wrong.Add($"{probe.Who} GET {probe.Url} → {(int)response.StatusCode}");
        }
        Assert.True(wrong.Count == 0, string.Join(Environment.NewLine, wrong));
        Assert.Equal(HttpStatusCode.BadRequest, (await clients[Who.Administrator].GetAsync("/Admin/Audit?q=a%00b")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await clients[Who.Coordinator].GetAsync("/Organisations?q=a%00b")).StatusCode);

        // A form: refused before anything is stored.
        var coordinator = clients[Who.Coordinator];
        var token = Forms.Token(await coordinator.GetStringAsync("/Organisations/Create"));
        var posted = await coordinator.PostAsync("/Organisations/Create", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token, ["Input.Name"] = "NUL\0 organisation", ["Input.Category"] = "NGO", ["Input.Country"] = "RS",
        }));
        Assert.Equal(HttpStatusCode.BadRequest, posted.StatusCode);
        Assert.Equal(0L, await ApiTestKit.ScalarAsync(app, "SELECT COUNT(*) FROM organisations WHERE name LIKE 'NUL%'", new { }));
    }

    /// <summary>The worked example's round, one of its responses, and a client for each of <see cref="Who"/>.</summary>
    private async Task<(long RoundId, long ResponseId, Dictionary<Who, HttpClient> Clients)> SeedAsync(string title)
    {
        var roundId = await SeedWorkedExampleAsync(app, title + " " + Guid.NewGuid().ToString("N")[..6]);
        var responseId = await ApiTestKit.ScalarAsync(app, """
            SELECT s.id FROM responses s JOIN questionnaire_versions v ON v.id = s.questionnaire_version_id
              JOIN questionnaires q ON q.id = v.questionnaire_id WHERE q.round_id = @roundId ORDER BY s.id LIMIT 1
            """, new { roundId });
        var clients = new Dictionary<Who, HttpClient>
        {
            [Who.Anonymous] = app.CreateBrowserLikeClient(),
            [Who.Coordinator] = await CoordinatorAsync(app),
            [Who.Administrator] = await SignedInAsync(app, "admin@demo.local"),
            [Who.Api] = ApiTestKit.Client(app, await ApiTestKit.TokenAsync(app, "admin")),
        };
        return (roundId, responseId, clients);
    }

    private static int CountRows(string html)
    {
        var start = html.IndexOf("<tbody", StringComparison.Ordinal);
        if (start < 0) return 0;
        var end = html.IndexOf("</tbody>", start, StringComparison.Ordinal);
        return System.Text.RegularExpressions.Regex.Count(html[start..end], "<tr[ >]");
    }
}
