using MemcacheOps.ModuleBuilder.Manifest;

namespace MemcacheOps.Tests.Module;

public sealed class Psd1ReaderTests
{
    [Fact]
    public void Reads_TheManifestSubset()
    {
        var table = Psd1Reader.Parse("""
            # comment
            <# block
               comment #>
            @{
                ModuleVersion = '1.2.3'
                'Quoted Key' = 'it''s'
                Empty = @()
                List = @(
                    'a'   # trailing comment
                    'b', "c"
                )
                Flag = $true; Nothing = $null
                Number = 7
                PrivateData = @{ PSData = @{ Tags = @('x', 'y') } }
            }
            """);
        Assert.Equal("1.2.3", Psd1Reader.String(table, "moduleversion"));
        Assert.Equal("it's", Psd1Reader.String(table, "Quoted Key"));
        Assert.Empty(Psd1Reader.Strings(table, "Empty"));
        Assert.Equal(["a", "b", "c"], Psd1Reader.Strings(table, "List"));
        Assert.Equal(true, table["Flag"]);
        Assert.Null(table["Nothing"]);
        Assert.Equal("7", table["Number"]);
        Assert.Equal(["x", "y"], Psd1Reader.Strings(Psd1Reader.Table(Psd1Reader.Table(table, "PrivateData")!, "PSData")!, "Tags"));
    }

    [Theory]
    [InlineData("@{ A = $env:X }", "variables")]
    [InlineData("@{ A = \"$x\" }", "expandable")]
    [InlineData("@{ A = 'x' ", "unterminated")]
    [InlineData("@{ A = 'x'; A = 'y' }", "duplicate")]
    public void Rejects_WhatIsNotPlainData(string text, string reason)
        => Assert.Contains(reason, Assert.Throws<FormatException>(() => Psd1Reader.Parse(text)).Message, StringComparison.Ordinal);
}
