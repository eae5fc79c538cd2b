namespace Consultation.Core.Questionnaires;

/// <summary>Status of a questionnaire version: a published version is frozen; edits go to the next draft.</summary>
public static class VersionStatus
{
    public const string Draft = "Draft";
    public const string Published = "Published";
}
