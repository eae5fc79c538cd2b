using Consultation.Core.Aggregation;

namespace Consultation.Core.Tests.Aggregation;

public sealed class FiguresTests
{
    [Theory]
    [InlineData(0.12345, 0.1235)]   // banker's rounding would give 0.1234
    [InlineData(0.76605, 0.7661)]   // and 0.766
    [InlineData(2.00005, 2.0001)]   // and 2.0
    [InlineData(-0.12345, -0.1235)]
    [InlineData(3.98348157, 3.9835)]
    [InlineData(3.81663496, 3.8166)]
    public void Reported_figures_round_to_four_decimals_half_away_from_zero(double value, double reported) =>
        Assert.Equal(reported, Figures.Round(value));
}
