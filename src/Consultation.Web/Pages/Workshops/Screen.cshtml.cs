using Consultation.Web.Infrastructure;
using Consultation.Web.Infrastructure.Data;
using Consultation.Web.Infrastructure.Security;
using Consultation.Web.Workshops;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
using QRCoder;

namespace Consultation.Web.Pages.Workshops;

/// <summary>The projector view for the room: join code and QR code, the current exercise, live results.</summary>
public sealed class ScreenModel(Db db, CurrentUser me, PublicLinks links, IStringLocalizer<SharedResource> L) : PageModel
{
    public WorkshopRow Workshop { get; private set; } = new();
    public string JoinUrl { get; private set; } = "";
    public string QrCodeDataUri { get; private set; } = "";
    public string TextJson { get; private set; } = "{}";

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken ct)
    {
        await using var conn = await db.OpenAsync(ct);
        var workshop = await WorkshopsSql.ControllableAsync(conn, id, me.Id, me.CanManageOrganisations, ct);
        if (workshop is null) return NotFound();
        Workshop = workshop;
        JoinUrl = links.Absolute(Request, $"{Request.PathBase}/join/{workshop.JoinCode}");
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(JoinUrl, QRCodeGenerator.ECCLevel.M);
        QrCodeDataUri = "data:image/png;base64," + Convert.ToBase64String(new PngByteQRCode(data).GetGraphic(8));
        TextJson = WorkshopText.Json(L, await WorkshopsSql.CrimeAreasAsync(conn, workshop.RoundId, ct));
        return Page();
    }
}
