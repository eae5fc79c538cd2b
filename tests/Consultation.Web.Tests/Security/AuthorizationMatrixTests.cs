using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Mvc.RazorPages.Infrastructure;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Consultation.Web.Tests.Security;

/// <summary>
/// Every Razor page handler and endpoint the app maps — discovered from the endpoint data sources, not
/// listed by hand — is tried as anonymous, as a respondent of two organisations, a facilitator, a
/// coordinator and an administrator. An endpoint that appears without an entry in <see cref="Expected"/>
/// fails the test, so a new page cannot ship without someone deciding who may use it.
/// </summary>
public sealed partial class AuthorizationMatrixTests(PortalFactory app) : IClassFixture<PortalFactory>
{
    /// <summary>Who may use an operation. The folder policies and the handlers' own checks must agree with this.</summary>
    public enum Access
    {
        /// <summary>Anyone, signed in or not (sign-in pages, error page, health check).</summary>
        Public,
        /// <summary>Any signed-in user; anonymous is sent to the sign-in page.</summary>
        SignedIn,
        /// <summary>Members of an organisation with the Respondent role.</summary>
        Respondent,
        /// <summary>Facilitators, coordinators and administrators.</summary>
        Facilitator,
        /// <summary>Coordinators and administrators.</summary>
        Coordinator,
        /// <summary>Administrators only.</summary>
        Administrator,
        /// <summary>API v1: bearer tokens only; no cookie (not even an administrator's) authenticates, so every persona gets 401.</summary>
        ApiToken,
    }

    private static readonly Dictionary<string, Access> Expected = new(StringComparer.Ordinal)
    {
        ["GET /"] = Access.Public,
        ["GET /Error/{code:int?}"] = Access.Public,
        ["POST /Error/{code:int?}"] = Access.Public,
        ["GET /healthz"] = Access.Public,
        ["POST /culture"] = Access.Public,

        ["GET /Account/Login"] = Access.Public,
        ["POST /Account/Login"] = Access.Public,
        ["GET /Account/LoginWith2fa"] = Access.Public,
        ["POST /Account/LoginWith2fa"] = Access.Public,
        ["GET /Account/LoginWithRecoveryCode"] = Access.Public,
        ["POST /Account/LoginWithRecoveryCode"] = Access.Public,
        ["GET /Account/ForgotPassword"] = Access.Public,
        ["POST /Account/ForgotPassword"] = Access.Public,
        ["GET /Account/ResetPassword"] = Access.Public,
        ["POST /Account/ResetPassword"] = Access.Public,
        ["GET /Account/AcceptInvitation"] = Access.Public,
        ["POST /Account/AcceptInvitation"] = Access.Public,
        ["GET /Account/AccessDenied"] = Access.Public,
        ["GET /Account/Logout"] = Access.Public,
        ["POST /Account/Logout"] = Access.Public,

        ["GET /Account/Manage"] = Access.SignedIn,
        ["POST /Account/Manage"] = Access.SignedIn,
        ["GET /Account/Manage/ChangePassword"] = Access.SignedIn,
        ["POST /Account/Manage/ChangePassword"] = Access.SignedIn,
        ["GET /Account/Manage/TwoFactor"] = Access.SignedIn,
        ["POST /Account/Manage/TwoFactor?handler=Enable"] = Access.SignedIn,
        ["POST /Account/Manage/TwoFactor?handler=Disable"] = Access.SignedIn,
        ["POST /Account/Manage/TwoFactor?handler=RecoveryCodes"] = Access.SignedIn,

        ["GET /Admin"] = Access.Administrator,
        ["POST /Admin"] = Access.Administrator,
        ["GET /Admin/Users"] = Access.Administrator,
        ["POST /Admin/Users?handler=AddRole"] = Access.Administrator,
        ["POST /Admin/Users?handler=RemoveRole"] = Access.Administrator,
        ["POST /Admin/Users?handler=Disable"] = Access.Administrator,
        ["POST /Admin/Users?handler=Enable"] = Access.Administrator,
        ["POST /Admin/Users?handler=Unlock"] = Access.Administrator,
        ["GET /Admin/Audit"] = Access.Administrator,
        ["GET /Admin/Tokens"] = Access.Administrator,
        ["POST /Admin/Tokens?handler=Create"] = Access.Administrator,
        ["POST /Admin/Tokens?handler=Revoke"] = Access.Administrator,

        ["GET /Organisations"] = Access.Coordinator,
        ["GET /Organisations/Create"] = Access.Coordinator,
        ["POST /Organisations/Create"] = Access.Coordinator,
        ["GET /Organisations/Details/{id:long}"] = Access.Coordinator,
        ["POST /Organisations/Details/{id:long}?handler=Invite"] = Access.Coordinator,
        ["POST /Organisations/Details/{id:long}?handler=RevokeInvitation"] = Access.Coordinator,
        ["GET /Organisations/Edit/{id:long}"] = Access.Coordinator,
        ["POST /Organisations/Edit/{id:long}"] = Access.Coordinator,

        ["GET /Rounds"] = Access.Coordinator,
        ["GET /Rounds/Create"] = Access.Coordinator,
        ["POST /Rounds/Create"] = Access.Coordinator,
        ["GET /Rounds/Details/{id:long}"] = Access.Coordinator,
        ["POST /Rounds/Details/{id:long}?handler=Open"] = Access.Coordinator,
        ["POST /Rounds/Details/{id:long}?handler=Close"] = Access.Coordinator,
        ["POST /Rounds/Details/{id:long}?handler=Archive"] = Access.Coordinator,
        ["POST /Rounds/Details/{id:long}?handler=Invitations"] = Access.Coordinator,
        ["POST /Rounds/Details/{id:long}?handler=Reminders"] = Access.Coordinator,
        ["GET /Rounds/{roundId:long}/Responses"] = Access.Coordinator,
        ["GET /Rounds/Responses/{id:long}"] = Access.Coordinator,
        ["POST /Rounds/Responses/{id:long}?handler=Grade"] = Access.Coordinator,
        ["GET /Rounds/Edit/{id:long}"] = Access.Coordinator,
        ["POST /Rounds/Edit/{id:long}"] = Access.Coordinator,
        ["GET /Questionnaires/Create/{roundId:long}"] = Access.Coordinator,
        ["POST /Questionnaires/Create/{roundId:long}"] = Access.Coordinator,
        ["GET /Questionnaires/Edit/{id:long}"] = Access.Coordinator,
        ["POST /Questionnaires/Edit/{id:long}"] = Access.Coordinator,
        ["POST /Questionnaires/Edit/{id:long}?handler=Publish"] = Access.Coordinator,
        ["POST /Questionnaires/Edit/{id:long}?handler=Preview"] = Access.Coordinator,

        ["GET /Evidence/{roundId:long}"] = Access.Coordinator,
        ["GET /Evidence/{roundId:long}?handler=Csv"] = Access.Coordinator,
        ["GET /Evidence/{roundId:long}?handler=Json"] = Access.Coordinator,
        ["GET /Evidence/{roundId:long}?handler=Xlsx"] = Access.Coordinator,
        ["GET /Evidence/{roundId:long}?handler=Raw"] = Access.Coordinator,
        ["POST /Evidence/{roundId:long}?handler=Freeze"] = Access.Coordinator,
        ["GET /Evidence/Cell/{roundId:long}/{crimeArea}/{indicator}"] = Access.Coordinator,
        ["GET /Evidence/Factor/{roundId:long}"] = Access.Coordinator,
        ["GET /Evidence/Report/{roundId:long}"] = Access.Coordinator,
        ["GET /Evidence/Snapshot/{id:long}"] = Access.Coordinator,
        ["GET /Evidence/Snapshot/{id:long}?handler=Csv"] = Access.Coordinator,
        ["GET /Evidence/Snapshot/{id:long}?handler=Json"] = Access.Coordinator,
        ["GET /Evidence/Snapshot/{id:long}?handler=Xlsx"] = Access.Coordinator,

        ["GET /Respond"] = Access.Respondent,
        ["GET /Respond/Form/{id:long}"] = Access.Respondent,
        ["POST /Respond/Form/{id:long}/save"] = Access.Respondent,
        ["POST /Respond/Form/{id:long}/submit"] = Access.Respondent,
        ["POST /Respond/Form/{id:long}?handler=Withdraw"] = Access.Respondent,

        ["GET /api/{**path}"] = Access.Public, // unknown API paths (any version): a problem+json 404 for anyone, no data
        ["GET /api/v1/organisations"] = Access.ApiToken,
        ["POST /api/v1/organisations"] = Access.ApiToken,
        ["GET /api/v1/organisations/{id:long}"] = Access.ApiToken,
        ["GET /api/v1/rounds"] = Access.ApiToken,
        ["POST /api/v1/rounds"] = Access.ApiToken,
        ["GET /api/v1/rounds/{id:long}"] = Access.ApiToken,
        ["GET /api/v1/rounds/{id:long}/evidence"] = Access.ApiToken,
        ["GET /api/v1/rounds/{id:long}/evidence.csv"] = Access.ApiToken,
        ["POST /api/v1/rounds/{id:long}/responses/import"] = Access.ApiToken,
        ["POST /api/v1/rounds/{id:long}/snapshots"] = Access.ApiToken,
        ["GET /api/v1/snapshots/{id:long}"] = Access.ApiToken,

        ["GET /Workshops"] = Access.Facilitator,
        ["GET /Workshops/Create"] = Access.Facilitator,
        ["POST /Workshops/Create"] = Access.Facilitator,
        ["POST /Workshops/Control/{id:long}?handler=Act"] = Access.Facilitator,
        ["POST /Workshops/Control/{id:long}?handler=EditFactor"] = Access.Facilitator,
        ["POST /Workshops/Control/{id:long}?handler=MergeFactor"] = Access.Facilitator,
        ["POST /Workshops/Control/{id:long}?handler=DeleteFactor"] = Access.Facilitator,
        ["GET /Workshops/Control/{id:long}"] = Access.Facilitator,
        ["GET /Workshops/Screen/{id:long}"] = Access.Facilitator,
        // Participants join without an account; the hub checks the participant cookie or the facilitator per call.
        ["GET /join/{code?}"] = Access.Public,
        ["POST /join/{code?}?handler=Find"] = Access.Public,
        ["POST /join/{code?}?handler=Enter"] = Access.Public,
        ["GET /hubs/workshop"] = Access.Public,
        ["GET /hubs/workshop/negotiate"] = Access.Public,
    };

    private static Access ExpectedFor(string operation) =>
        Expected.TryGetValue(operation, out var access)
            ? access
            : throw new Xunit.Sdk.XunitException($"No authorization entry for '{operation}': add it to {nameof(AuthorizationMatrixTests)}.{nameof(Expected)}.");

    private static readonly (string Name, string? Email, string? Role, string? Organisation)[] Personas =
    [
        ("anonymous", null, null, null),
        ("respondent of ASTRA", "respondent@demo.local", "Respondent", "ASTRA"),
        ("respondent of Group 484", "respondent2@demo.local", "Respondent", "Group 484"),
        ("facilitator", "facilitator@demo.local", "Facilitator", null),
        ("coordinator", "coordinator@demo.local", "Coordinator", null),
        ("administrator", "admin@demo.local", "Administrator", null),
    ];

    private static bool Allowed(Access access, string? role) => access switch
    {
        Access.Public => true,
        Access.SignedIn => role is not null,
        Access.Respondent => role == "Respondent",
        Access.Facilitator => role is "Facilitator" or "Coordinator" or "Administrator",
        Access.Coordinator => role is "Coordinator" or "Administrator",
        Access.Administrator => role == "Administrator",
        _ => false, // ApiToken: no cookie persona
    };

    private sealed record Operation(string Method, string Pattern, string? Handler)
    {
        public string Key => $"{Method} {Pattern}" + (Handler is null ? "" : $"?handler={Handler}");
    }

    /// <summary>Every page handler (loaded through the real <see cref="PageLoader"/>) and every other route endpoint.</summary>
    private async Task<List<Operation>> DiscoverAsync()
    {
        using var scope = app.Services.CreateScope();
        var sources = scope.ServiceProvider.GetServices<EndpointDataSource>();
        var loader = scope.ServiceProvider.GetRequiredService<PageLoader>();
        var operations = new List<Operation>();
        foreach (var endpoint in sources.SelectMany(s => s.Endpoints).OfType<RouteEndpoint>())
        {
            var pattern = "/" + (endpoint.RoutePattern.RawText ?? "").TrimStart('/');
            // A folder's Index page answers at "/Rounds" and "/Rounds/Index": one operation.
            if (pattern.EndsWith("/Index", StringComparison.Ordinal)) pattern = pattern[..^"/Index".Length] is { Length: > 0 } p ? p : "/";
            pattern = pattern.Replace("/Index/", "/", StringComparison.Ordinal);
            if (endpoint.Metadata.GetMetadata<PageActionDescriptor>() is { } page)
            {
                var compiled = await loader.LoadAsync(page, endpoint.Metadata);
                foreach (var handler in compiled.HandlerMethods)
                    operations.Add(new Operation(handler.HttpMethod.ToUpperInvariant(), pattern, handler.Name));
                if (!compiled.HandlerMethods.Any(h => h.HttpMethod.Equals("GET", StringComparison.OrdinalIgnoreCase)))
                    operations.Add(new Operation("GET", pattern, null)); // a page without OnGet still renders on GET
                continue;
            }
            if (endpoint.Metadata.GetMetadata<ActionDescriptor>() is not null) continue; // no MVC controllers in this app
            var methods = endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["GET"];
            foreach (var method in methods)
                operations.Add(new Operation(method, pattern, null));
        }
        return operations.Where(o => !IsStaticAsset(o.Pattern)).Distinct().OrderBy(o => o.Key, StringComparer.Ordinal).ToList();
    }

    // MapStaticAssets maps one endpoint per file (public by design, checked in HealthAndHeadersTests).
    private static bool IsStaticAsset(string pattern) =>
        pattern.StartsWith("/lib/", StringComparison.Ordinal) || pattern.StartsWith("/css/", StringComparison.Ordinal)
        || pattern.StartsWith("/js/", StringComparison.Ordinal) || pattern.StartsWith("/favicon", StringComparison.Ordinal) || pattern == "/{**path:file}"
        || Regex.IsMatch(pattern, @"\.(css|js|map|png|svg|ico|webmanifest|json|txt|woff2?)$");

    [Fact]
    public async Task Every_endpoint_has_an_authorization_entry()
    {
        var missing = (await DiscoverAsync()).Where(o =>
        {
            try { ExpectedFor(o.Key); return false; } catch (Xunit.Sdk.XunitException) { return true; }
        }).Select(o => o.Key).ToList();
        Assert.True(missing.Count == 0, "Endpoints without an authorization entry:\n" + string.Join("\n", missing));
    }

    [Fact]
    public async Task Entries_that_no_longer_match_an_endpoint_are_removed()
    {
        var keys = (await DiscoverAsync()).Select(o => o.Key).ToHashSet(StringComparer.Ordinal);
        var stale = Expected.Keys.Where(k => !keys.Contains(k)).ToList();
        Assert.True(stale.Count == 0, "Entries for endpoints that do not exist:\n" + string.Join("\n", stale));
    }

    [Fact]
    public async Task Each_persona_gets_what_the_matrix_says_on_every_endpoint()
    {
        var operations = await DiscoverAsync();
        var failures = new List<string>();
        foreach (var persona in Personas)
        {
            var client = app.CreateBrowserLikeClient();
            if (persona.Email is not null)
            {
                var login = await Forms.LoginAsync(client, persona.Email);
                Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
            }
            // Any page with the layout carries a token for this persona (the language switcher is a form).
            var token = Forms.Token(await client.GetStringAsync(persona.Email is null ? "/Account/Login" : "/Account/Manage"));

            foreach (var op in operations)
            {
                var access = ExpectedFor(op.Key);
                if (access == Access.Public && op.Method != "GET") continue; // public posts are covered by their own tests
                var url = Concrete(op);
                using var request = new HttpRequestMessage(new HttpMethod(op.Method), url);
                if (op.Method != "GET")
                    request.Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token });
                using var response = await client.SendAsync(request);
                var status = (int)response.StatusCode;
                var location = response.Headers.Location?.OriginalString ?? "";
                var outcome = $"{persona.Name}: {op.Key} → {status} {location}";

                if (status >= 500) { failures.Add("server error: " + outcome); continue; }
                // Public pages answer as they see fit (AccessDenied is a 403 page, 2FA without a pending sign-in goes back to sign-in).
                if (access == Access.Public) continue;
                if (access == Access.ApiToken)
                {
                    if (status != 401) failures.Add("API answered a cookie: " + outcome);
                    continue;
                }
                if (Allowed(access, persona.Role))
                {
                    if (status is 401 or 403 || location.Contains("/Account/Login", StringComparison.Ordinal))
                        failures.Add($"refused but should be allowed ({access}): " + outcome);
                }
                else if (persona.Role is null)
                {
                    var toLogin = status == 302 && location.Contains("/Account/Login", StringComparison.Ordinal);
                    if (!toLogin && status != 401) failures.Add($"anonymous not sent to sign-in ({access}): " + outcome);
                }
                else if (status is not (403 or 404))
                {
                    failures.Add($"not refused ({access}): " + outcome);
                }
            }
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public async Task Posts_without_an_antiforgery_token_are_rejected_for_signed_in_users()
    {
        // Each POST is sent by a persona allowed to use it, so the refusal can only come from the missing token.
        var clients = new Dictionary<string, HttpClient>(StringComparer.Ordinal);
        foreach (var (_, email, role, _) in Personas.Where(p => p.Email is not null && p.Name != "respondent of Group 484"))
        {
            var client = app.CreateBrowserLikeClient();
            await Forms.LoginAsync(client, email!);
            clients[role!] = client;
        }
        var failures = new List<string>();
        // The error page re-renders failed POSTs, so it ignores tokens by design and changes nothing; the API takes no cookies.
        foreach (var op in (await DiscoverAsync()).Where(o => o.Method == "POST" && !o.Pattern.StartsWith("/Error", StringComparison.Ordinal) && !o.Pattern.StartsWith("/api/", StringComparison.Ordinal)))
        {
            var access = ExpectedFor(op.Key);
            var client = clients.First(c => Allowed(access, c.Key)).Value;
            using var response = await client.PostAsync(Concrete(op), new FormUrlEncodedContent(new Dictionary<string, string>()));
            if (response.StatusCode != HttpStatusCode.BadRequest) failures.Add($"{op.Key} → {(int)response.StatusCode}");
        }
        Assert.True(failures.Count == 0, "POST accepted without antiforgery token:\n" + string.Join("\n", failures));
    }

    /// <summary>Fills route parameters with the first demo row's id; handlers go in the query string.</summary>
    private static string Concrete(Operation op)
    {
        if (op.Pattern.StartsWith("/Error", StringComparison.Ordinal)) return "/Error/404"; // the page answers with the status it describes
        var path = RouteParameter().Replace(op.Pattern, m => m.Groups["optional"].Success ? "" : "1").Replace("//", "/");
        if (path.Length > 1) path = path.TrimEnd('/');
        return op.Handler is null ? path : $"{path}?handler={op.Handler}";
    }

    [GeneratedRegex(@"\{[^}/]*?(?<optional>\?)?\}")]
    private static partial Regex RouteParameter();
}
