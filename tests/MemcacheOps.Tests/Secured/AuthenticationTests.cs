using System.Text;
using MemcacheOps.Engine.Connections;
using MemcacheOps.Engine.Storing;
using MemcacheOps.Testing;
using MemcacheOps.Tests.Support;

namespace MemcacheOps.Tests.Secured;

/// <summary>
/// memcached's text-protocol authentication (-Y) through the CLI: the right password works for every verb,
/// a wrong or missing one fails clearly, and the password never appears in anything printed.
/// </summary>
public sealed class AuthenticationTests : IAsyncLifetime
{
    private readonly MemcachedUser _user = new("ops", "pw-" + Guid.NewGuid().ToString("N"));
    private readonly string _folder = Directory.CreateTempSubdirectory("memcacheops-auth-tests-").FullName;
    private MemcachedProcess _server = null!;

    private string PasswordFile => Path.Combine(_folder, "password");

    public async Task InitializeAsync()
    {
        _server = MemcachedProcess.StartWithAuthentication(_user);
        File.WriteAllText(PasswordFile, _user.Password + "\n");
        var options = ConnectionOptions.Default with { Credential = new MemcacheCredential(_user.Name, _user.Password) };
        await Seeder.StoreAsync(_server.Endpoint, Seeder.Numbered("auth:", 50), StoreMode.Set, options);
    }

    public Task DisposeAsync()
    {
        _server.Dispose();
        Directory.Delete(_folder, recursive: true);
        return Task.CompletedTask;
    }

    private async Task<(int Code, string Output, string Errors)> RunAsync(params string[] args)
    {
        var result = await CliRunner.RunAsync(args);
        Assert.DoesNotContain(_user.Password, result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(_user.Password, result.Errors, StringComparison.Ordinal);
        return result;
    }

    [Fact]
    public async Task The_right_password_works_for_stats_keys_export_and_compare()
    {
        var stats = await RunAsync("stats", "--server", _server.Endpoint, "--username", "ops", "--password-file", PasswordFile, "--json");
        Assert.True(stats.Code == 0, stats.Errors);
        Assert.Contains("\"currentItems\":50", stats.Output, StringComparison.Ordinal);

        var count = await RunAsync("keys", "--server", _server.Endpoint, "--username", "ops", "--password-file", PasswordFile, "--count");
        Assert.Equal("50", count.Output.Trim());

        var dump = Path.Combine(_folder, "dump");
        var export = await RunAsync("export", "--server", _server.Endpoint, "--username", "ops", "--password-file", PasswordFile, "--path", dump, "--quiet");
        Assert.True(export.Code == 0, export.Errors);
        Assert.Contains("dumped 50", export.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(_user.Password, string.Concat(Directory.EnumerateFiles(dump, "*.json", SearchOption.AllDirectories).Select(File.ReadAllText)), StringComparison.Ordinal);

        var compare = await RunAsync("compare", "--reference", dump, "--difference", _server.Endpoint, "--username", "ops", "--password-file", PasswordFile, "--summary", "--quiet");
        Assert.True(compare.Code == 0, compare.Errors + compare.Output);
    }

    [Fact]
    public async Task The_password_can_come_from_MEMCACHEOPS_PASSWORD()
    {
        Environment.SetEnvironmentVariable("MEMCACHEOPS_PASSWORD", _user.Password);
        try
        {
            var count = await RunAsync("keys", "--server", _server.Endpoint, "--username", "ops", "--count");
            Assert.Equal("50", count.Output.Trim());
        }
        finally
        {
            Environment.SetEnvironmentVariable("MEMCACHEOPS_PASSWORD", null);
        }
    }

    [Fact]
    public async Task A_wrong_password_fails_clearly()
    {
        var wrong = Path.Combine(_folder, "wrong");
        File.WriteAllText(wrong, "not-" + _user.Password);
        var result = await RunAsync("keys", "--server", _server.Endpoint, "--username", "ops", "--password-file", wrong, "--count");
        Assert.Equal(2, result.Code);
        Assert.Contains("refused the password of user 'ops'", result.Errors, StringComparison.Ordinal);
        Assert.Contains("[MemcacheAuthenticationFailed]", result.Errors, StringComparison.Ordinal);
        Assert.DoesNotContain("not-", result.Errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_server_asking_for_authentication_without_a_credential_says_how_to_give_one()
    {
        var result = await RunAsync("stats", "--server", _server.Endpoint);
        Assert.Equal(2, result.Code);
        Assert.Contains("requires authentication", result.Errors, StringComparison.Ordinal);
        Assert.Contains("--username", result.Errors, StringComparison.Ordinal);
        Assert.Contains("[MemcacheAuthenticationRequired]", result.Errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_user_without_a_password_source_is_a_usage_error()
    {
        var result = await RunAsync("stats", "--server", _server.Endpoint, "--username", "ops");
        Assert.Equal(2, result.Code);
        Assert.Contains("--password-file", result.Errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_credential_is_not_sent_to_a_server_that_does_not_ask_for_one()
    {
        // On a server without -Y the authentication command would store a real item.
        using var open = MemcachedProcess.Start();
        var count = await RunAsync("keys", "--server", open.Endpoint, "--username", "ops", "--password-file", PasswordFile, "--count");
        Assert.Equal("0", count.Output.Trim());
        Assert.Equal(0, open.Stat("total_items"));
        Assert.Equal(0, open.Stat("cmd_set"));
        Assert.Empty(Encoding.ASCII.GetBytes(count.Errors));
    }
}
