using Consultation.Core.Aggregation;
using Consultation.Core.Organisations;
using Consultation.Core.Scales;

namespace Consultation.Core.Tests.Aggregation;

public sealed class WeightsTests
{
    [Theory]
    [InlineData('A', 1.0)]
    [InlineData('B', 0.8)]
    [InlineData('C', 0.5)]
    [InlineData('X', 0.6)]
    public void Source_reliability_weights_follow_the_domain(char source, double weight) =>
        Assert.Equal(weight, Weights.Source(source));

    [Theory]
    [InlineData(1, 1.0)]
    [InlineData(2, 0.8)]
    [InlineData(3, 0.6)]
    [InlineData(4, 0.4)]
    public void Information_weights_follow_the_domain(int information, double weight) =>
        Assert.Equal(weight, Weights.Information(information));

    [Theory]
    [InlineData(Confidence.High, 1.0)]
    [InlineData(Confidence.Medium, 0.75)]
    [InlineData(Confidence.Low, 0.5)]
    public void Confidence_weights_follow_the_domain(Confidence confidence, double weight) =>
        Assert.Equal(weight, Weights.Confidence(confidence));

    [Fact]
    public void Weight_multiplies_category_source_information_and_confidence()
    {
        var settings = new AggregationSettings { CategoryWeights = new Dictionary<string, double> { [OrganisationCategory.Academic] = 0.8 } };

        Assert.Equal(0.288, Weights.For(OrganisationCategory.Academic, Grading.Parse("X2"), Confidence.Medium, settings), 12);
    }

    [Fact]
    public void Category_without_a_weight_weighs_1()
    {
        var settings = new AggregationSettings { CategoryWeights = new Dictionary<string, double> { [OrganisationCategory.Agency] = 1.5 } };

        Assert.Equal(1.0, Weights.For(OrganisationCategory.International, Grading.Parse("A1"), Confidence.High, settings));
    }

    [Fact]
    public void Ungraded_uses_the_default_grading()
    {
        Assert.Equal(0.64, Weights.For(OrganisationCategory.Ngo, null, Confidence.High, AggregationSettings.Default), 12);
        Assert.Equal(0.5, Weights.For(OrganisationCategory.Ngo, null, Confidence.High, new AggregationSettings { DefaultGrading = Grading.Parse("C1") }));
    }

    [Fact]
    public void Settings_without_positive_weights_or_group_size_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            new AggregationSettings { CategoryWeights = new Dictionary<string, double> { [OrganisationCategory.Ngo] = 0 } }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            new AggregationSettings { IndicatorWeights = new Dictionary<string, double> { [Indicators.Damage] = -1 } }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new AggregationSettings { MinOrganisations = 0 }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new AggregationSettings { DefaultGrading = default }.Validate());
    }
}
