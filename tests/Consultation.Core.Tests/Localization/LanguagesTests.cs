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

public sealed class FormatsTests
{
    private static readonly DateTimeOffset Instant = new(2026, 11, 23, 13, 30, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("sr-Latn", "23.11.2026. 14:30")]
    [InlineData("sr-Cyrl", "23.11.2026. 14:30")]
    [InlineData("mk", "23.11.2026 14:30")]
    [InlineData("sq", "23.11.2026 14:30")]
    [InlineData("en", "2026-11-23 14:30")]
    public void Date_and_time_follow_the_language_in_the_given_zone(string culture, string expected) =>
        Assert.Equal(expected, Formats.DateTime(Instant, "Europe/Belgrade", new CultureInfo(culture)));

    [Fact]
    public void Summer_time_is_applied_by_the_zone() =>
        Assert.Equal("01.07.2026. 14:30", Formats.DateTime(new DateTimeOffset(2026, 7, 1, 12, 30, 0, TimeSpan.Zero), "Europe/Skopje", new CultureInfo("sr-Latn")));

    [Fact]
    public void Unknown_zone_shows_utc() =>
        Assert.Equal("2026-11-23 13:30", Formats.DateTime(Instant, "Mars/Olympus", new CultureInfo("en")));

    [Theory]
    [InlineData("en", "3.1416")]
    [InlineData("sr-Latn", "3,1416")]
    [InlineData("mk", "3,1416")]
    [InlineData("sq", "3,1416")]
    public void Decimal_separator_follows_the_language(string culture, string expected) =>
        Assert.Equal(expected, Formats.Number(3.14159, "0.0000", new CultureInfo(culture)));

    [Fact]
    public void Calendar_date_has_no_zone() =>
        Assert.Equal("05.03.2027", Formats.Date(new DateOnly(2027, 3, 5), new CultureInfo("mk")));
}
