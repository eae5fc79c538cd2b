using System.Net;
using Consultation.Web.Infrastructure.Security;
using Consultation.Web.Pages.Respond;
using Dapper;

namespace Consultation.Web.Tests.Pages.Admin;

/// <summary>The audit log names actions in the reader's language and keeps the stored code beside the label.</summary>
public sealed class AuditLogLanguageTests(PortalFactory app) : IClassFixture<PortalFactory>
{
    private static Task<HttpResponseMessage> SwitchAsync(HttpClient client, string culture) =>
        Forms.PostAsync(client, "/", new Dictionary<string, string> { ["culture"] = culture, ["returnUrl"] = "/" }, "/culture");

    [Fact]
    public async Task Actions_are_shown_by_their_label_in_the_readers_language_with_the_code_and_an_unknown_code_as_stored()
    {
        var admin = app.CreateBrowserLikeClient();
        await Forms.LoginAsync(admin, "admin@demo.local");
        await using (var conn = app.Connection())
        {
            const string insert = "INSERT INTO audit_log (occurred_at, actor_email, action, target, details) VALUES (@At, 'labels@audit.test', @Action, @Target, '')";
            await conn.ExecuteAsync(insert, new[]
            {
                new { At = "2026-03-01T10:00:00.0000000+00:00", Action = AuditActions.RoundCreated, Target = "round:77" },
                new { At = "2026-03-01T10:01:00.0000000+00:00", Action = RespondAudit.Submitted, Target = "response:78" },
                // An action of an older version, without a label.
                new { At = "2026-03-01T10:02:00.0000000+00:00", Action = "legacy.unlabelled_thing", Target = "thing:79" },
            });
        }

        try
        {
            foreach (var (culture, roundCreated, responseSubmitted) in new[]
            {
                ("en", "Round created", "Response submitted"),
                ("sr-Latn", "Krug napravljen", "Odgovor predat"),
                ("sr-Cyrl", "Круг направљен", "Одговор предат"),
                ("mk", "Кругот е создаден", "Одговорот е поднесен"),
                ("sq", "Raundi u krijua", "Përgjigjja u dorëzua"),
            })
            {
                Assert.Equal(HttpStatusCode.Redirect, (await SwitchAsync(admin, culture)).StatusCode);
                var html = WebUtility.HtmlDecode(await admin.GetStringAsync("/Admin/Audit?actor=labels%40audit.test"));

                Assert.Matches($"<span data-testid=\"action-label\">{roundCreated}</span>\\s*<code class=\"d-block small\">round.created</code>", html);
                Assert.Matches($"<span data-testid=\"action-label\">{responseSubmitted}</span>\\s*<code class=\"d-block small\">response.submitted</code>", html);
                Assert.Contains("<td><code>legacy.unlabelled_thing</code></td>", html, StringComparison.Ordinal);
                // The filter offers the labels and filters by the code.
                Assert.Contains($"<option value=\"round.created\">{roundCreated}</option>", html, StringComparison.Ordinal);
                Assert.Contains("<option value=\"legacy.unlabelled_thing\">legacy.unlabelled_thing</option>", html, StringComparison.Ordinal);

                var filtered = WebUtility.HtmlDecode(await admin.GetStringAsync("/Admin/Audit?action=round.created&actor=labels%40audit.test"));
                Assert.Contains($"<option value=\"round.created\" selected=\"selected\">{roundCreated}</option>", filtered, StringComparison.Ordinal);
                Assert.Contains("round:77", filtered, StringComparison.Ordinal);
                Assert.DoesNotContain("response:78", filtered, StringComparison.Ordinal);
            }
        }
        finally
        {
            await SwitchAsync(admin, "en");
        }
    }
}
