using Consultation.Core.Localization;

namespace Consultation.Core.Tests.Localization;

public sealed class SerbianScriptTests
{
    [Theory]
    [InlineData("Prihvati poziv", "Прихвати позив")]
    [InlineData("Podešavanja naloga", "Подешавања налога")]
    [InlineData("Ljubljana, NJEGOŠ, džep, Đorđe, ćuprija, čaša", "Љубљана, ЊЕГОШ, џеп, Ђорђе, ћуприја, чаша")]
    [InlineData("Uloga {0} je dodeljena korisniku {1}.", "Улога {0} је додељена кориснику {1}.")]
    [InlineData("ističe {0:yyyy-MM-dd HH:mm} UTC", "истиче {0:yyyy-MM-dd HH:mm} UTC")]
    [InlineData("Skenirajte QR kod", "Скенирајте QR код")]
    [InlineData("na primer FreeOTP, Aegis, Google ili Microsoft Authenticator", "на пример FreeOTP, Aegis, Google или Microsoft Authenticator")]
    [InlineData("Ocena B2 za SOCTA", "Оцена B2 за SOCTA")]
    [InlineData("Pišite na info@mup.gov.rs ili https://example.org/a", "Пишите на info@mup.gov.rs или https://example.org/a")]
    [InlineData("<strong>Važno</strong> &amp; hitno", "<strong>Важно</strong> &amp; хитно")]
    public void Latin_text_is_spelled_in_cyrillic_and_codes_stay_latin(string latin, string cyrillic) =>
        Assert.Equal(cyrillic, SerbianScript.ToCyrillic(latin));

    [Fact]
    public void Every_letter_of_the_latin_alphabet_has_its_cyrillic_counterpart()
    {
        const string latin = "A B C Č Ć D Dž Đ E F G H I J K L Lj M N Nj O P R S Š T U V Z Ž";
        const string cyrillic = "А Б Ц Ч Ћ Д Џ Ђ Е Ф Г Х И Ј К Л Љ М Н Њ О П Р С Ш Т У В З Ж";
        Assert.Equal(cyrillic, SerbianScript.ToCyrillic(latin));
        Assert.Equal(cyrillic.ToLowerInvariant(), SerbianScript.ToCyrillic(latin.ToLowerInvariant()));
    }
}
