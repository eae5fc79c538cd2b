using System.Net;
using Consultation.Core.Accounts;
using Consultation.Web.Infrastructure.Data;
using Consultation.Web.Infrastructure.Security;
using Consultation.Web.Operations;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using static Consultation.Web.Tests.Pages.Respond.RespondSteps;
using static Consultation.Web.Tests.Pages.Rounds.RoundSteps;

namespace Consultation.Web.Tests.Operations;

/// <summary>
/// A database to copy for each durability test, made once by the app's own code: the demo data, ten NGOs added
/// on the coordinator's pages, <see cref="Count"/> respondent accounts made with the app's user manager (five
/// per organisation), and an open round inviting all ten with a published questionnaire
/// (<see cref="SmallSchema"/>). The app then writes it out with its own online backup.
/// </summary>
public sealed class DurabilitySeed : IAsyncLifetime
{
    public const int Count = 50;
    private const int Organisations = 10;

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "consultation-durability-seed-" + Guid.NewGuid().ToString("N"));

    public string TemplatePath => Path.Combine(_folder, "template.db");
    public long RoundId { get; private set; }
    public long QuestionnaireId { get; private set; }

    public static string Email(int i) => $"respondent{i:00}@durability.example";

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        await using var app = new PortalFactory();
        await app.InitializeAsync();
        var coordinator = await CoordinatorAsync(app);
        var names = Enumerable.Range(1, Organisations).Select(i => $"Durability NGO {i:00}").ToList();
        foreach (var name in names)
        {
            var created = await Forms.PostAsync(coordinator, "/Organisations/Create", new Dictionary<string, string>
            {
                ["Input.Name"] = name, ["Input.Category"] = "NGO", ["Input.Country"] = "RS",
            });
            Assert.Equal(HttpStatusCode.Redirect, created.StatusCode);
        }

        using (var scope = app.Services.CreateScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
            // One hash for all: the same password, and fifty PBKDF2 runs would only make the test slower.
            var hash = users.PasswordHasher.HashPassword(new AppUser(), DemoData.Password);
            for (var i = 0; i < Count; i++)
            {
                var org = await OrganisationIdAsync(app, names[i % Organisations]);
                var user = new AppUser
                {
                    Email = Email(i), DisplayName = $"Respondent {i:00}", EmailConfirmed = true, OrganisationId = org, PasswordHash = hash,
                };
                var result = await users.CreateAsync(user);
                Assert.True(result.Succeeded, string.Join(" ", result.Errors.Select(e => e.Description)));
                Assert.True((await users.AddToRoleAsync(user, Roles.Respondent)).Succeeded);
            }
        }

        (RoundId, QuestionnaireId) = await OpenRoundAsync(app, "Durability round", SmallSchema, [.. names]);
        await app.Services.GetRequiredService<Db>().BackupAsync(TemplatePath);
    }

    /// <summary>A fresh folder holding a copy of the seeded database as <c>consultation.db</c>.</summary>
    public string NewFolder(string name)
    {
        var folder = Path.Combine(_folder, name + "-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        File.Copy(TemplatePath, Path.Combine(folder, "consultation.db"));
        return folder;
    }

    public Task DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_folder, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        return Task.CompletedTask;
    }
}
