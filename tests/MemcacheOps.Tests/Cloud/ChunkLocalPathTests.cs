using MemcacheOps.Engine;
using MemcacheOps.Engine.Cloud;

namespace MemcacheOps.Tests.Cloud;

public sealed class ChunkLocalPathTests
{
    private static readonly string Work = Path.Combine(Path.GetTempPath(), "memcacheops-work");

    private static string Under(params string[] parts) => Path.Combine([Path.GetFullPath(Work), .. parts]);

    [Fact]
    public void KeepsTheKeysFoldersAndName()
    {
        Assert.Equal(Under("dump", "req-1", "data_10.0.0.1__0_9F86D081884C7D659A2FEAA0C55AD015"),
            ChunkLocalPath.Resolve(Work, "dump/req-1/data_10.0.0.1__0_9F86D081884C7D659A2FEAA0C55AD015"));
    }

    [Theory]
    [InlineData("/etc/passwd", new[] { "etc", "passwd" })]          // absolute-looking keys stay inside
    [InlineData("//dump///req//file", new[] { "dump", "req", "file" })]
    [InlineData("C:\\Windows\\System32\\x", new[] { "C__Windows_System32_x" })]
    [InlineData("..\\..\\evil", new[] { ".._.._evil" })]             // backslashes are not separators here
    [InlineData("a/...", new[] { "a", ".._" })]                      // not a traversal, but a trailing dot
    [InlineData("a/name. ", new[] { "a", "name._" })]
    [InlineData("a/b:c*d?e\"f<g>h|i", new[] { "a", "b_c_d_e_f_g_h_i" })]
    [InlineData("CON", new[] { "_CON" })]
    [InlineData("x/nul.txt", new[] { "x", "_nul.txt" })]
    [InlineData("x/CONSOLE", new[] { "x", "CONSOLE" })]
    [InlineData("caf\u00e9/\u1234", new[] { "caf\u00e9", "\u1234" })]
    public void ReplacesWhatIsUnsafe(string key, string[] expected)
    {
        Assert.Equal(Under(expected), ChunkLocalPath.Resolve(Work, key));
    }

    [Theory]
    [InlineData("../../etc/passwd", "'..' segment")]
    [InlineData("dump/../../../root/.ssh/authorized_keys", "'..' segment")]
    [InlineData("dump/./x", "'.' segment")]
    [InlineData("..", "'..' segment")]
    [InlineData("", "the object key is empty")]
    [InlineData("///", "it has no name")]
    [InlineData("a/\u0000/b", "control characters")]
    [InlineData("a\nb", "control characters")]
    public void RefusesKeysThatWouldLeaveTheFolder(string key, string reason)
    {
        Assert.False(ChunkLocalPath.TryResolve(Work, key, out var path, out var problem));
        Assert.Equal(string.Empty, path);
        Assert.Contains(reason, problem, StringComparison.Ordinal);

        var ex = Assert.Throws<MemcacheException>(() => ChunkLocalPath.Resolve(Work, key));
        Assert.Equal("UnsafeObjectKey", ex.ErrorId);
        Assert.Equal(MemcacheErrorKind.InvalidData, ex.Kind);
        Assert.DoesNotContain(ex.Message, char.IsControl);
    }

    [Fact]
    public void RefusesTooManyFolderLevels()
    {
        var key = string.Join('/', Enumerable.Repeat("d", ChunkLocalPath.MaxDepth + 1));

        Assert.False(ChunkLocalPath.TryResolve(Work, key, out _, out var problem));
        Assert.Contains("folder levels", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void ShortensLongNamesKeepingThemDistinct()
    {
        var a = ChunkLocalPath.Resolve(Work, "p/" + new string('a', 500) + "1");
        var b = ChunkLocalPath.Resolve(Work, "p/" + new string('a', 500) + "2");

        Assert.NotEqual(a, b);
        Assert.True(Path.GetFileName(a).Length <= ChunkLocalPath.MaxSegmentBytes);
        Assert.StartsWith(new string('a', 100), Path.GetFileName(a), StringComparison.Ordinal);
        Assert.Equal(Under("p"), Path.GetDirectoryName(a));
    }

    [Fact]
    public void ShortensMultiByteNamesWithoutSplittingACharacter()
    {
        var name = string.Concat(Enumerable.Repeat("\ud83d\ude00", 120)); // 480 UTF-8 bytes of emoji

        var file = Path.GetFileName(ChunkLocalPath.Resolve(Work, name));

        Assert.True(System.Text.Encoding.UTF8.GetByteCount(file) <= ChunkLocalPath.MaxSegmentBytes);
        Assert.False(char.IsHighSurrogate(file[file.IndexOf('~') - 1]));
    }

    [Fact]
    public void EveryAcceptedKeyStaysInsideTheFolder()
    {
        var random = new Random(7);
        string[] pieces = ["..", ".", "/", "\\", "a", "b", ":", "~", " ", "CON", "%2e%2e", "\u00e9", "*", "//"];
        var root = Path.GetFullPath(Work) + Path.DirectorySeparatorChar;
        for (var i = 0; i < 5000; i++)
        {
            var key = string.Concat(Enumerable.Range(0, random.Next(1, 10)).Select(_ => pieces[random.Next(pieces.Length)]));

            if (ChunkLocalPath.TryResolve(Work, key, out var path, out _))
            {
                Assert.StartsWith(root, path, StringComparison.Ordinal);
                Assert.Equal(path, Path.GetFullPath(path));
            }
        }
    }
}
