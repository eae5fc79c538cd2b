using System.Globalization;
using Consultation.Core.Localization;

namespace Consultation.Core.Tests.Localization;

public sealed class LanguagesTests
{
    [Theory]
    [InlineData("en", "Trafficking in human beings")]
    [InlineData("en-GB", "Trafficking in human beings")]
    [InlineData("de", "Trafficking in human beings")]
    [InlineData("sr-Latn", "Trgovina ljudima")]
    [InlineData("sr-Latn-RS", "Trgovina ljudima")]
    [InlineData("sr", "Trgovina ljudima")]
    [InlineData("sr-Cyrl", "Трговина људима")]
    [InlineData("sr-Cyrl-RS", "Трговина људима")]
    [InlineData("mk", "Трговија со луѓе")]
    [InlineData("mk-MK", "Трговија со луѓе")]
    [InlineData("sq", "Trafikimi i qenieve njerëzore")]
    [InlineData("sq-AL", "Trafikimi i qenieve njerëzore")]
    public void Name_is_picked_for_the_culture(string culture, string expected) =>
        Assert.Equal(expected, Languages.Pick(new CultureInfo(culture), "Trafficking in human beings", "Trgovina ljudima", "Трговија со луѓе", "Trafikimi i qenieve njerëzore"));

    [Theory]
    [InlineData("mk")]
    [InlineData("sq")]
    public void A_missing_name_falls_back_to_english_then_to_the_code(string culture)
    {
        Assert.Equal("Wildlife crime", Languages.Pick(new CultureInfo(culture), "Wildlife crime", "Kriminal protiv divljih vrsta", "", null));
        Assert.Equal("WILDLIFE", Languages.Pick(new CultureInfo(culture), "", "", "", "", "WILDLIFE"));
    }

    [Fact]
    public void Survey_locales_are_distinct_and_english_is_the_default_text() =>
        Assert.Equal(["default", "sr", "sr-Cyrl", "mk", "sq"], Languages.SurveyLocales);
}

public sealed class RegionalTests
{
    [Theory]
    [InlineData("RS", "sr-Latn", "Europe/Belgrade")]
    [InlineData("ME", "sr-Latn", "Europe/Podgorica")]
    [InlineData("mk", "mk", "Europe/Skopje")]
    [InlineData("AL", "sq", "Europe/Tirane")]
    [InlineData("XK", "sq", "Europe/Belgrade")]
    public void Country_gives_language_and_zone(string country, string language, string zone)
    {
        Assert.Equal(language, Regional.LanguageOf(country));
        Assert.Equal(zone, Regional.TimeZoneOf(country));
    }

    [Fact]
    public void Unknown_country_has_no_language_or_zone()
    {
        Assert.Null(Regional.LanguageOf("FR"));
        Assert.Null(Regional.TimeZoneOf(""));
    }

    [Theory]
    [InlineData(null, null, "mk", "Europe/Skopje")]
    [InlineData(null, null, "sq", "Europe/Tirane")]
    [InlineData(null, null, "sr-Cyrl", "Europe/Belgrade")]
    [InlineData(null, null, "en", "Europe/Belgrade")]
    [InlineData(null, "ME", "sr-Latn", "Europe/Podgorica")]
    [InlineData("Europe/London", "MK", "mk", "Europe/London")]
    public void User_zone_wins_then_country_then_language(string? userZone, string? country, string language, string expected) =>
        Assert.Equal(expected, Regional.TimeZoneFor(userZone, country, language));

    [Fact]
    public void Every_default_zone_is_known_to_the_system()
    {
        foreach (var zone in new[] { Regional.Belgrade, Regional.Podgorica, Regional.Skopje, Regional.Tirane, Regional.Sarajevo })
            Assert.True(TimeZoneInfo.TryFindSystemTimeZoneById(zone, out _), zone);
    }
}
