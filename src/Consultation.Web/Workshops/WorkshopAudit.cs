namespace Consultation.Web.Workshops;

/// <summary>Audit actions of workshops (kept here so the shared AuditActions list stays untouched by this slice).</summary>
public static class WorkshopAudit
{
    public const string Created = "workshop.created";
    public const string Acted = "workshop.acted";
    public const string FactorChanged = "workshop.factor_changed";
}
