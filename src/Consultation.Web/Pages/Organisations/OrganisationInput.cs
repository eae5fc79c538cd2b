using System.ComponentModel.DataAnnotations;
using Consultation.Core.Organisations;

namespace Consultation.Web.Pages.Organisations;

/// <summary>The fields of an organisation, shared by Create and Edit.</summary>
public sealed class OrganisationInput : IValidatableObject
{
    [Required(ErrorMessage = "Enter the organisation's name."), StringLength(200, ErrorMessage = "The name can be at most 200 characters.")]
    [Infrastructure.SingleLine(ErrorMessage = "The name must be a single line without control characters.")]
    public string Name { get; set; } = "";

    [Required(ErrorMessage = "Choose a category.")]
    public string Category { get; set; } = OrganisationCategory.Ngo;

    [StringLength(2, MinimumLength = 2, ErrorMessage = "Use the two-letter country code, e.g. RS.")]
    [RegularExpression("^[A-Za-z]{2}$", ErrorMessage = "Use the two-letter country code, e.g. RS.")]
    public string? Country { get; set; }

    [EmailAddress(ErrorMessage = "Enter a valid email address."), StringLength(254)]
    public string? ContactEmail { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!OrganisationCategory.IsKnown(Category))
            yield return new ValidationResult("Choose a category.", [nameof(Category)]);
    }

    public object ToParameters(long id, DateTimeOffset now) => new
    {
        Id = id, Name = Name.Trim(), Category, Country = (Country ?? "").Trim().ToUpperInvariant(),
        ContactEmail = (ContactEmail ?? "").Trim(), Now = now,
    };
}
