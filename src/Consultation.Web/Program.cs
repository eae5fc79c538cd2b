using Consultation.Web.Api;
using Consultation.Web.Infrastructure;
using Consultation.Web.Infrastructure.Data;
using Consultation.Web.Infrastructure.Localization;
using Consultation.Web.Infrastructure.Mail;
using Consultation.Web.Infrastructure.ScaleOut;
using Consultation.Web.Infrastructure.Security;
using Consultation.Web.Operations;
using Consultation.Web.Pages.Respond;
using Consultation.Web.Rounds;
using Consultation.Web.Evidence;
using Consultation.Web.Workshops;

var builder = WebApplication.CreateBuilder(args);

builder.Services
    .AddPortalData(builder.Configuration)
    .AddPortalSecurity(builder.Environment)
    .AddPortalRateLimits(builder.Configuration)
    .AddPortalMail(builder.Configuration)
    .AddPortalLocalization()
    .AddPortalPages()
    .AddPortalScaleOut(builder.Configuration);
builder.Services.AddRounds(builder.Configuration);
builder.Services.AddResponding();
builder.Services.AddApi(builder.Configuration);
builder.Services.AddEvidence();
builder.Services.AddCoordination(builder.Configuration);
builder.Services.AddWorkshops(builder.Configuration);

var app = builder.Build();

// `dotnet run -- migrate | create-admin --email E | backup --to FILE`: same binary, no web server.
if (Commands.IsCommand(args))
{
    Environment.ExitCode = await Commands.RunAsync(app, args);
    return;
}

// Outside Development, links in mail need the portal's public address (or host filtering): see PublicLinks.
if (PublicLinks.ConfigurationProblem(app.Configuration, app.Environment) is { } problem)
{
    app.Logger.LogCritical("{Problem}", problem);
    throw new InvalidOperationException(problem);
}

await app.MigrateAndSeedAsync();

// First: behind a reverse proxy the client's address and scheme come from its headers (trusted proxies only).
app.UseForwardedHeaders();
if (!app.Environment.IsDevelopment())
{
    app.UseExceptionHandler("/Error");
    app.UseHsts();
}
app.UseSecurityHeaders();
app.UseStatusCodePagesWithReExecute("/Error/{0}");
app.UseFormLimitErrors(); // a form over the reader's limits: 413 page / problem+json, not 500
app.UseHeadAsGet(); // HEAD on /healthz and the API's reads, as on pages
app.UseRouting();
app.UseCookiePolicy();
app.UseAuthentication();
app.UseRequestLocalization(); // after authentication: the user's profile chooses the language
app.UseRateLimiter();
app.UseAuthorization();
app.UseAntiforgery();

// Styles and scripts are public: the sign-in page needs them before anyone is signed in.
app.MapStaticAssets().AllowAnonymous();
app.MapRazorPages().WithStaticAssets();
app.MapRespondForm();
app.MapHealthz();
app.MapCultureSwitch();
app.MapApi();
app.MapWorkshops();

await app.RunAsync();

/// <summary>Entry point; public so WebApplicationFactory can start the app in tests.</summary>
public partial class Program;
