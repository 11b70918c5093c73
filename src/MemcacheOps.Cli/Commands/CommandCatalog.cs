namespace MemcacheOps.Cli.Commands;

/// <summary>Every verb of the CLI, in help order.</summary>
public static class CommandCatalog
{
    public static IReadOnlyList<ICommand> All { get; } =
    [
        new StatsCommand(),
        new KeysCommand(),
        new ExportCommand(),
        new ImportCommand(),
        new CompareCommand(),
        new MoveCommand(),
        new TestCommand(),
        new LatencyCommand(),
        new ClusterCommand(),
    ];

    public static ICommand? Find(string name) => All.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase));
}
