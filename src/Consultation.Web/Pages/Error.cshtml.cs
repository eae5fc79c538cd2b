using System.Diagnostics;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace Consultation.Web.Pages;

/// <summary>Readable pages for errors and status codes (403, 404, 500…); never a stack trace.</summary>
[AllowAnonymous, IgnoreAntiforgeryToken, ResponseCache(Duration = 0, Location = ResponseCacheLocation.None, NoStore = true)]
public sealed class ErrorModel(IStringLocalizer<SharedResource> L) : PageModel
{
    public string Title { get; private set; } = "";
    public string Message { get; private set; } = "";
    public string? RequestId { get; private set; }

    // The code is read from the route by hand, not bound: binding consults every value provider, the form's too, and a
    // re-executed POST whose form the reader refused (413) would fail binding again and turn the page into a 500.
    public void OnGet() => Describe(Code());
    public void OnPost() => Describe(Code());

    // The status code pages re-execute this page in the failed request's method: a PUT or DELETE the portal refused
    // (405, or 404 for an address that does not exist) has no handler here and still gets its page. The result is set
    // here, so neither UnknownHandlerFilter's 404 nor the framework's empty 200 for OPTIONS replaces the error.
    [NonHandler] // a public "On…" method would otherwise be taken for a handler (of the method "Page")
    public override void OnPageHandlerExecuting(PageHandlerExecutingContext context)
    {
        if (context.HandlerMethod is not null) return;
        Describe(Code());
        context.Result = Page();
    }

    private int? Code() =>
        int.TryParse(RouteData.Values["code"] as string, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var c) ? c : null;

    private void Describe(int? code)
    {
        // Only error statuses: /Error/999 or /Error/302 typed by hand is a page that does not exist.
        if (code is < 400 or > 599) code = 404;
        var status = code ?? 500;
        (Title, Message) = status switch
        {
            403 => (L["Access denied"].Value, L["You do not have permission to open this page."].Value),
            404 => (L["Not found"].Value, L["The page or item you asked for does not exist, or you cannot see it."].Value),
            405 => (L["Method not allowed"].Value, L["This page cannot be opened or sent this way. Go back and use the page's own links and buttons."].Value),
            // Mostly a form whose token expired: reloading this page posts it again and fails again, and reloading the form
            // loses what was typed — so: back to the form, copy the text, then reload.
            400 => (L["Bad request"].Value, L["The form could not be sent (a page left open for a long time expires). Go back to your page: your text is still there. Copy what you typed, reload that page, paste it and try again."].Value),
            413 => (L["Too large, not saved"].Value, L["What you sent is too large for the server to read, so nothing was saved. Go back: your browser usually still shows your text in the form. Copy it somewhere safe, shorten it and send it again."].Value),
            429 => (L["Too many attempts"].Value, L["Too many attempts from your address. Please wait a minute and try again."].Value),
            503 => (L["Busy, not saved"].Value, L["The database is busy or out of space, so this was not saved. Go back and send it again in a moment."].Value),
            _ => (L["Something went wrong"].Value, L["An unexpected error occurred. Please go back and try again; if it happens again, quote the reference below."].Value),
        };
        if (code is null) RequestId = Activity.Current?.Id ?? HttpContext.TraceIdentifier;
        Response.StatusCode = status;
    }
}
