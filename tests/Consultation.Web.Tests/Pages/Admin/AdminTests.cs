using System.Net;
using Dapper;

namespace Consultation.Web.Tests.Pages.Admin;

public sealed class AdminTests(PortalFactory app) : IClassFixture<PortalFactory>
{
    private System.Data.Common.DbConnection Sql() => app.Connection();

    [Fact]
    public async Task Administrator_gives_and_removes_a_role_and_both_are_audited()
    {
        var admin = app.CreateBrowserLikeClient();
        await Forms.LoginAsync(admin, "admin@demo.local");
        await using var conn = Sql();
        var userId = await conn.ExecuteScalarAsync<long>("SELECT id FROM users WHERE email = 'facilitator@demo.local'");
        var fields = new Dictionary<string, string> { ["userId"] = userId.ToString(System.Globalization.CultureInfo.InvariantCulture), ["role"] = "Coordinator" };

        var add = await Forms.PostAsync(admin, "/Admin/Users", fields, "/Admin/Users?handler=AddRole");
        Assert.Equal(HttpStatusCode.Redirect, add.StatusCode);
        Assert.Equal(1, await conn.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM user_roles WHERE user_id = @userId AND role_id = 2", new { userId }));

        var remove = await Forms.PostAsync(admin, "/Admin/Users", fields, "/Admin/Users?handler=RemoveRole");
        Assert.Equal(HttpStatusCode.Redirect, remove.StatusCode);
        Assert.Equal(0, await conn.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM user_roles WHERE user_id = @userId AND role_id = 2", new { userId }));

        var audit = await admin.GetStringAsync("/Admin/Audit?action=role.removed");
        Assert.Contains("facilitator@demo.local: Coordinator", audit, StringComparison.Ordinal);
        Assert.Contains("role.added", await admin.GetStringAsync("/Admin/Audit"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_role_is_a_400()
    {
        var admin = app.CreateBrowserLikeClient();
        await Forms.LoginAsync(admin, "admin@demo.local");

        var response = await Forms.PostAsync(admin, "/Admin/Users", new Dictionary<string, string> { ["userId"] = "1", ["role"] = "Root" }, "/Admin/Users?handler=AddRole");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Coordinator_cannot_change_roles()
    {
        var coordinator = app.CreateBrowserLikeClient();
        await Forms.LoginAsync(coordinator, "coordinator@demo.local");
        var token = Forms.Token(await coordinator.GetStringAsync("/"));

        var response = await coordinator.PostAsync("/Admin/Users?handler=AddRole", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["userId"] = "2", ["role"] = "Administrator", ["__RequestVerificationToken"] = token,
        }));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }
}
