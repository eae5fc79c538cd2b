using System.Globalization;
using Consultation.Core.Questionnaires;

namespace Consultation.Core.Tests.Questionnaires;

public sealed class SurveyTitleTests
{
    private const string Localized = """
        { "title": { "default": "Five-indicator assessment", "sr": "Procena prema pet indikatora", "mk": "Проценка според пет индикатори", "sq": "Vlerësimi sipas pesë treguesve" }, "pages": [] }
        """;

    [Theory]
    [InlineData("sq", "Vlerësimi sipas pesë treguesve")]
    [InlineData("mk", "Проценка според пет индикатори")]
    [InlineData("sr-Latn", "Procena prema pet indikatora")]
    [InlineData("en", "Five-indicator assessment")]
    public void A_template_title_is_shown_in_the_readers_language(string culture, string expected) =>
        Assert.Equal(expected, SurveyTitle.For("Five-indicator assessment", Localized, CultureInfo.GetCultureInfo(culture)));

    [Fact]
    public void Stored_in_another_of_its_languages_it_is_still_recognised() =>
        Assert.Equal("Vlerësimi sipas pesë treguesve", SurveyTitle.For("Procena prema pet indikatora", Localized, CultureInfo.GetCultureInfo("sq")));

    [Theory]
    [InlineData("Our own title", Localized)]
    [InlineData("Five-indicator assessment", """{ "title": "Five-indicator assessment" }""")]
    [InlineData("Five-indicator assessment", "{ not json")]
    [InlineData("Five-indicator assessment", null)]
    public void A_renamed_questionnaire_or_a_definition_without_localized_titles_keeps_the_stored_title(string stored, string? schema) =>
        Assert.Equal(stored, SurveyTitle.For(stored, schema, CultureInfo.GetCultureInfo("sq")));

    [Fact]
    public void Serbian_cyrillic_without_its_own_text_keeps_the_stored_title() =>
        Assert.Equal("Five-indicator assessment", SurveyTitle.For("Five-indicator assessment", Localized, CultureInfo.GetCultureInfo("sr-Cyrl")));
}
