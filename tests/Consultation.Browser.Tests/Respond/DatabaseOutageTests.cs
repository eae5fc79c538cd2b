using System.Text.Json;
using Consultation.Browser.Tests.Infrastructure;
using Consultation.Browser.Tests.PageObjects;
using Consultation.Web.Operations;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Consultation.Browser.Tests.Respond;

/// <summary>The portal with writers that give up on a lock after 300 ms, so an outage shows in the browser at once.</summary>
public sealed class ImpatientBrowserPortal : BrowserPortalFactory
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings => [new("Database:BusyTimeoutMs", "300")];
}

/// <summary>
/// Issue 6, "Durability": the database cannot take writes for a while (another process holds the write lock).
/// The respondent sees "Not saved — retrying", keeps everything typed — even across a reload — and sees
/// "Saved at …" once the database is back; a submission pressed meanwhile goes through by itself.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class DatabaseOutageTests(BrowserFixture browser, ImpatientBrowserPortal app) : IClassFixture<ImpatientBrowserPortal>
{
    private const string Typed = "typed while the database was locked";

    private async Task<SqliteConnection> LockDatabaseAsync()
    {
        var conn = new SqliteConnection($"Data Source={app.DatabasePath};Pooling=False");
        await conn.OpenAsync();
        await conn.ExecuteAsync("BEGIN IMMEDIATE");
        return conn;
    }

    private async Task<(long Revision, string Status, string DataJson, long? RevisionNo, string? RevisionJson)> StoredAsync(string email)
    {
        await using var conn = new SqliteConnection($"Data Source={app.DatabasePath};Pooling=False");
        return await conn.QuerySingleAsync<(long, string, string, long?, string?)>("""
            SELECT rs.revision, rs.status, rs.data_json,
                   (SELECT MAX(revision_no) FROM response_revisions WHERE response_id = rs.id),
                   (SELECT data_json FROM response_revisions WHERE response_id = rs.id ORDER BY revision_no DESC LIMIT 1)
              FROM responses rs JOIN users u ON u.id = rs.respondent_user_id
             WHERE u.email = @email AND rs.source = 'Form'
            """, new { email });
    }

    private static bool HoldsTyped(string dataJson) =>
        JsonDocument.Parse(dataJson).RootElement.EnumerateObject().Any(p => p.Value.ValueKind == JsonValueKind.String && p.Value.GetString() == Typed);

    private static async Task<string> LocalCopyAsync(IPage page) =>
        await page.EvaluateAsync<string>("() => localStorage.getItem(document.getElementById('respond-app').dataset.storageKey) ?? ''");

    [Fact]
    public async Task Answers_typed_while_the_database_is_locked_stay_on_the_device_and_are_saved_and_submitted_once_it_is_free()
    {
        const string email = "respondent2@demo.local";
        await using var test = browser.Start(app);

        await test.RunAsync(async () =>
        {
            var page = await test.NewPersonAsync("respondent");
            var home = await (await LoginPage.OpenAsync(page)).SignInAsync(email);
            var form = await (await RespondListPage.OpenFromNavigationAsync(home, page)).OpenAsync(DemoData.DemoRoundTitle);
            var before = await StoredAsync(email);

            var holder = await LockDatabaseAsync();
            try
            {
                await form.Comment.FillAsync(Typed);
                await Expect(form.NotSaved).ToBeVisibleAsync(new() { Timeout = 15_000 });
                await Expect(form.NotSaved).ToContainTextAsync("The database is busy. Your answers are kept on this device");
                await test.ScreenshotAsync(page, "1-not-saved");
                Assert.Contains(Typed, await LocalCopyAsync(page), StringComparison.Ordinal);

                // Even a reload during the outage loses nothing: the copy on the device comes back and keeps retrying.
                await page.ReloadAsync();
                await Expect(form.Restored).ToBeVisibleAsync();
                await Expect(form.Comment).ToHaveValueAsync(Typed);
                await Expect(form.NotSaved).ToBeVisibleAsync(new() { Timeout = 15_000 });
                Assert.Equal(before.Revision, (await StoredAsync(email)).Revision);
            }
            finally
            {
                await holder.DisposeAsync(); // closing rolls the transaction back: the lock is gone
            }

            await form.ExpectSavedAsync();
            var saved = await StoredAsync(email);
            Assert.True(HoldsTyped(saved.DataJson), saved.DataJson);
            await test.ScreenshotAsync(page, "2-saved");

            // Submitting during a second outage: the page says it is retrying, and submits once the lock is gone.
            while (await page.Locator("#respond-app").GetByRole(AriaRole.Button, new() { Name = "Next" }).IsVisibleAsync()) await form.NextAsync();
            await form.ExpectSavedAsync();
            holder = await LockDatabaseAsync();
            try
            {
                await form.SubmitAsync();
                await Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Not submitted yet — the database is busy; retrying." }))
                    .ToBeVisibleAsync(new() { Timeout = 15_000 });
                await test.ScreenshotAsync(page, "3-not-submitted");
            }
            finally
            {
                await holder.DisposeAsync();
            }
            await Expect(form.Confirmation).ToContainTextAsync($"Submitted: revision {before.RevisionNo + 1} received.", new() { Timeout = 15_000 });
            var submitted = await StoredAsync(email);
            Assert.Equal(("Submitted", before.RevisionNo + 1), (submitted.Status, submitted.RevisionNo));
            Assert.True(HoldsTyped(submitted.RevisionJson!), submitted.RevisionJson);
        });
    }
}
