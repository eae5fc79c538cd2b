using Consultation.Core.Aggregation;
using Consultation.Core.Organisations;
using Consultation.Core.Scales;

namespace Consultation.Core.Tests.Aggregation;

/// <summary>DOMAIN.md, "Worked example", reproduced to 4 decimals.</summary>
public sealed class WorkedExampleTests
{
    private static readonly AggregationSettings Settings = new()
    {
        MinOrganisations = 3,
        DefaultGrading = Grading.Parse("B2"),
        CategoryWeights = new Dictionary<string, double>
        {
            [OrganisationCategory.Agency] = 1.5,
            [OrganisationCategory.Ngo] = 1.0,
            [OrganisationCategory.Academic] = 0.8,
        },
        IndicatorWeights = new Dictionary<string, double> { [Indicators.Damage] = 2 },
    };

    /// <summary>One row of the example's table: an organisation's block for one crime area, R S F T D.</summary>
    private static IEnumerable<ScoreValue> Block(
        string organisation, string category, string? grading, string crimeArea, int[] rsftd, Confidence confidence, long responseId) =>
        Indicators.All.Select((indicator, i) => new ScoreValue(
            crimeArea, indicator, organisation, category,
            grading is null ? null : Grading.Parse(grading), confidence, rsftd[i], SourceRef.Response(responseId, 1)));

    internal static List<ScoreValue> Values() =>
    [
        .. Block("border-police", OrganisationCategory.Agency, "A1", CrimeAreas.Drugs, [4, 5, 4, 3, 5], Confidence.High, 1),
        .. Block("border-police", OrganisationCategory.Agency, "A1", CrimeAreas.Thb, [3, 3, 4, 2, 5], Confidence.High, 1),
        .. Block("customs", OrganisationCategory.Agency, "B2", CrimeAreas.Drugs, [3, 4, 4, 4, 4], Confidence.High, 2),
        .. Block("customs", OrganisationCategory.Agency, "B2", CrimeAreas.Cyber, [5, 4, 5, 3, 4], Confidence.High, 2),
        .. Block("astra", OrganisationCategory.Ngo, "B1", CrimeAreas.Drugs, [3, 3, 3, 4, 4], Confidence.Low, 3),
        .. Block("astra", OrganisationCategory.Ngo, "B1", CrimeAreas.Thb, [4, 4, 5, 3, 5], Confidence.High, 3),
        .. Block("group-484", OrganisationCategory.Ngo, "C2", CrimeAreas.Thb, [4, 5, 4, 2, 4], Confidence.Medium, 4),
        .. Block("group-484", OrganisationCategory.Ngo, null, CrimeAreas.Thb, [5, 4, 4, 1, 5], Confidence.High, 5),
        .. Block("share-foundation", OrganisationCategory.Ngo, "B3", CrimeAreas.Cyber, [4, 5, 5, 4, 3], Confidence.High, 6),
        .. Block("faculty-security-studies", OrganisationCategory.Academic, "X2", CrimeAreas.Drugs, [2, 4, 3, 5, 3], Confidence.Medium, 7),
        .. Block("faculty-security-studies", OrganisationCategory.Academic, "X2", CrimeAreas.Thb, [3, 3, 3, 2, 4], Confidence.High, 7),
    ];

    private static readonly Evidence Evidence = Aggregator.Aggregate(Values(), Settings);

    public static TheoryData<string, string, int, int, double, double, double, double, double> ExpectedCells => new()
    {
        { CrimeAreas.Drugs, Indicators.Resources, 4, 4, 3.3850, 3, 1, 0.6479, 0.7661 },
        { CrimeAreas.Drugs, Indicators.Scope, 4, 4, 4.3494, 4, 1, 0.6939, 0.7503 },
        { CrimeAreas.Drugs, Indicators.Flexibility, 4, 4, 3.7814, 4, 0, 0.4133, 0.8681 },
        { CrimeAreas.Drugs, Indicators.SocialTolerance, 4, 4, 3.6150, 4, 1, 0.6479, 0.7661 },
        { CrimeAreas.Drugs, Indicators.Damage, 4, 4, 4.3850, 4, 1, 0.6479, 0.7661 },
        { CrimeAreas.Thb, Indicators.Resources, 5, 4, 3.5041, 3, 1, 0.6730, 0.7578 },
        { CrimeAreas.Thb, Indicators.Scope, 5, 4, 3.4502, 3, 1, 0.5854, 0.7877 },
        { CrimeAreas.Thb, Indicators.Flexibility, 5, 4, 4.1319, 4, 1, 0.5983, 0.8218 },
        { CrimeAreas.Thb, Indicators.SocialTolerance, 5, 4, 2.1522, 2, 1, 0.5761, 0.8270 },
        { CrimeAreas.Thb, Indicators.Damage, 5, 4, 4.8307, 5, 0, 0.3750, 0.8913 },
    };

    [Theory]
    [MemberData(nameof(ExpectedCells))]
    public void Cell_matches_the_expected_table(
        string crimeArea, string indicator, int n, int orgs, double mean, double median, double iqr, double sd, double consensus)
    {
        var cell = Evidence.Cell(crimeArea, indicator)!;
        Assert.Equal(n, cell.N);
        Assert.Equal(orgs, cell.Organisations);
        Assert.False(cell.Suppressed);
        // Exact equality: the reported figures are already rounded to 4 decimals.
        Assert.Equal(mean, cell.WeightedMean);
        Assert.Equal(median, cell.WeightedMedian);
        Assert.Equal(iqr, cell.Iqr);
        Assert.Equal(sd, cell.Sd);
        Assert.Equal(consensus, cell.Consensus);
        Assert.Equal(iqr <= 1, cell.Agreement);
    }

    [Fact]
    public void Cyber_cells_are_suppressed_with_two_organisations()
    {
        foreach (var indicator in Indicators.All)
        {
            var cell = Evidence.Cell(CrimeAreas.Cyber, indicator)!;
            Assert.Equal(2, cell.N);
            Assert.Equal(2, cell.Organisations);
            Assert.True(cell.Suppressed);
            Assert.Null(cell.WeightedMean);
            Assert.Null(cell.WeightedMedian);
            Assert.Null(cell.Iqr);
            Assert.Null(cell.Sd);
            Assert.Null(cell.Consensus);
            Assert.Null(cell.Agreement);
        }
    }

    [Fact]
    public void Composites_and_ranks_match_the_example()
    {
        Assert.Equal(
            [
                new CrimeAreaScore(CrimeAreas.Drugs, 3.9835, 1),
                new CrimeAreaScore(CrimeAreas.Thb, 3.8166, 2),
                new CrimeAreaScore(CrimeAreas.Cyber, null, null),
            ],
            Evidence.CrimeAreas);
    }

    [Fact]
    public void Drugs_damage_matches_the_hand_check()
    {
        var cell = Evidence.Cell(CrimeAreas.Drugs, Indicators.Damage)!;
        Assert.Equal([1.5, 0.96, 0.4, 0.288], cell.Contributions.Select(c => c.Weight), (a, b) => Math.Abs(a - b) < 1e-12);
        Assert.Equal(3.148, cell.Contributions.Sum(c => c.Weight), 12);
        Assert.Equal(13.804, cell.Contributions.Sum(c => c.Weight * c.Value), 12);
        Assert.Equal(4.3850, cell.WeightedMean);
    }

    [Fact]
    public void Group_484s_two_respondents_each_carry_half_their_weight()
    {
        var cell = Evidence.Cell(CrimeAreas.Thb, Indicators.Damage)!;
        var group484 = cell.Contributions.Where(c => c.OrganisationKey == "group-484").OrderBy(c => c.Source.Value).ToList();

        Assert.Equal(2, group484.Count);
        Assert.All(group484, c => Assert.Equal(2, c.OrganisationValues));
        // C2 NGO MEDIUM: 1.0 × 0.5 × 0.8 × 0.75 = 0.3, halved.
        Assert.Equal(0.15, group484[0].Weight, 12);
        Assert.True(group484[0].Graded);
        // Ungraded: the default B2, 1.0 × 0.8 × 0.8 × 1.0 = 0.64, halved.
        Assert.Equal(0.32, group484[1].Weight, 12);
        Assert.False(group484[1].Graded);
        Assert.Equal(Grading.Default, group484[1].Grading);
    }

    [Fact]
    public void Every_contribution_is_traceable_to_its_response()
    {
        var cell = Evidence.Cell(CrimeAreas.Thb, Indicators.Resources)!;
        Assert.Equal(
            ["response:1/rev:1", "response:3/rev:1", "response:4/rev:1", "response:5/rev:1", "response:7/rev:1"],
            cell.Contributions.Select(c => c.Source.Value).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Order_of_the_values_does_not_change_any_figure()
    {
        var reversed = Aggregator.Aggregate(Enumerable.Reverse(Values()), Settings);
        foreach (var (key, cell) in Evidence.Cells)
        {
            var other = reversed.Cell(key.CrimeArea, key.Indicator)!;
            Assert.Equal((cell.WeightedMean, cell.WeightedMedian, cell.Iqr, cell.Sd, cell.Consensus),
                (other.WeightedMean, other.WeightedMedian, other.Iqr, other.Sd, other.Consensus));
        }
        Assert.Equal(Evidence.CrimeAreas, reversed.CrimeAreas);
    }

    [Fact]
    public void Evidence_records_the_formula_version() =>
        Assert.Equal("consultation-scores/1", Evidence.FormulaVersion);
}
