using System.ComponentModel.DataAnnotations;
using Consultation.Web.Rounds;
using Microsoft.Extensions.Options;

namespace Consultation.Web.Infrastructure;

public sealed class PortalOptions
{
    public const string Section = "Portal";

    /// <summary>
    /// The portal's public address as people reach it (e.g. <c>https://consultation.ministry.example</c>, with the path
    /// if it is served under one): every link in mail (password reset, invitations, receipts, reminders) and the join
    /// address on the projector are built on it. <c>Reminders:PublicBaseUrl</c>, its earlier name, is still read.
    /// </summary>
    [Url]
    public string? PublicBaseUrl { get; set; }
}

/// <summary>
/// Absolute links to the portal for mail and for screens. Built on the configured public address when there is one;
/// otherwise on the request's own scheme and host — which the client chooses (a <c>Host: evil.example</c> header
/// would put an attacker's address into a password-reset mail), so outside Development the portal only starts
/// without a public address when <c>AllowedHosts</c> restricts the host names it answers (<see cref="ConfigurationProblem"/>).
/// </summary>
public sealed class PublicLinks(IOptions<PortalOptions> portal, IOptions<RemindersOptions> reminders)
{
    /// <summary>The configured public address without a trailing slash; null when none is configured.</summary>
    public string? ConfiguredBase =>
        (portal.Value.PublicBaseUrl is { Length: > 0 } p ? p : reminders.Value.PublicBaseUrl is { Length: > 0 } r ? r : null)?.TrimEnd('/');

    /// <summary>
    /// The absolute form of <paramref name="path"/>, an address as the app generates it for this request (it starts
    /// with the request's path base, e.g. from <c>Url.Page</c>).
    /// </summary>
    public string Absolute(HttpRequest request, string path)
    {
        if (ConfiguredBase is not { } configured) return $"{request.Scheme}://{request.Host}{path}";
        var pathBase = request.PathBase.Value ?? "";
        var rest = pathBase.Length > 0 && path.StartsWith(pathBase, StringComparison.Ordinal) ? path[pathBase.Length..] : path;
        return configured + rest;
    }

    /// <summary>The absolute address of an app path (e.g. <c>/Respond</c>) without a request: null when no public address is configured.</summary>
    public string? Absolute(string appPath) => ConfiguredBase is { } b ? b + appPath : null;

    /// <summary>
    /// Why the portal must not serve as configured, or null: outside Development, links in mail need either a public
    /// address or host filtering (<c>AllowedHosts</c> other than <c>*</c>), or anyone could have a password-reset mail
    /// point to their own site.
    /// </summary>
    public static string? ConfigurationProblem(IConfiguration configuration, IHostEnvironment environment)
    {
        if (environment.IsDevelopment()) return null;
        if (configuration[$"{PortalOptions.Section}:PublicBaseUrl"] is { Length: > 0 } || configuration[$"{RemindersOptions.Section}:PublicBaseUrl"] is { Length: > 0 })
            return null;
        var hosts = configuration["AllowedHosts"];
        if (!string.IsNullOrWhiteSpace(hosts) && hosts.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).All(h => h != "*"))
            return null;
        return "Set Portal:PublicBaseUrl to the portal's public address (e.g. https://consultation.ministry.example). Links in mail " +
               "(password reset, invitations, receipts) are built on it; without it they would be built on the Host header of the " +
               "request, which anyone can set. Alternatively restrict AllowedHosts to the portal's host names.";
    }
}
