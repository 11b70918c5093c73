namespace MemcacheOps.Cli.Commands;

/// <summary>Process exit codes, the same for every verb.</summary>
public static class ExitCodes
{
    /// <summary>Everything asked for was done.</summary>
    public const int Success = 0;

    /// <summary>The operation ran and found differences (compare) or left items behind (a partial result).</summary>
    public const int Different = 1;

    /// <summary>An error: bad arguments, an unreachable server, a failed part of the work.</summary>
    public const int Error = 2;

    /// <summary>Cancelled by Ctrl+C.</summary>
    public const int Cancelled = 130;
}
