namespace Consultation.Web;

/// <summary>
/// Marker for the portal's one resource set (<c>Resources/SharedResource*.resx</c>). Keys are the English
/// text, so English renders even before a key is added to a resource file.
/// </summary>
public sealed class SharedResource;
