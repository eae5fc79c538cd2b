using Consultation.Core.Workshops;

namespace Consultation.Core.Tests.Workshops;

public sealed class JoinCodesTests
{
    [Fact]
    public void Codes_are_six_characters_from_the_alphabet_without_look_alikes()
    {
        var random = new Random(42);
        for (var i = 0; i < 2000; i++)
        {
            var code = JoinCodes.Generate(random.Next);
            Assert.Equal(6, code.Length);
            Assert.True(JoinCodes.IsWellFormed(code), code);
            Assert.DoesNotContain(code, c => "0O1IL".Contains(c, StringComparison.Ordinal));
        }
    }

    [Theory]
    [InlineData('0')] [InlineData('O')] [InlineData('1')] [InlineData('I')] [InlineData('L')] [InlineData('S')] [InlineData('5')] [InlineData('B')] [InlineData('8')] [InlineData('Z')] [InlineData('2')]
    public void Alphabet_leaves_out_look_alike_characters(char c) =>
        Assert.DoesNotContain(c, JoinCodes.Alphabet);

    [Fact]
    public void The_random_source_decides_the_code()
    {
        var zero = JoinCodes.Generate(_ => 0);
        Assert.Equal(new string(JoinCodes.Alphabet[0], 6), zero);
        Assert.Equal(JoinCodes.Generate(new Random(7).Next), JoinCodes.Generate(new Random(7).Next));
        Assert.Throws<InvalidOperationException>(() => JoinCodes.Generate(max => max));
    }

    [Fact]
    public void Every_character_of_the_alphabet_is_used()
    {
        var random = new Random(1);
        var seen = Enumerable.Range(0, 500).SelectMany(_ => JoinCodes.Generate(random.Next)).ToHashSet();
        Assert.Equal(JoinCodes.Alphabet.Length, seen.Count);
    }

    [Theory]
    [InlineData(" ace-fgh ", "ACEFGH", true)]
    [InlineData("ACEFG", "ACEFG", false)]
    [InlineData("ACEFG0", "ACEFG0", false)]
    [InlineData(null, "", false)]
    public void Typed_codes_are_normalised_before_checking(string? typed, string normalised, bool wellFormed)
    {
        Assert.Equal(normalised, JoinCodes.Normalize(typed));
        Assert.Equal(wellFormed, JoinCodes.IsWellFormed(JoinCodes.Normalize(typed)));
    }
}
