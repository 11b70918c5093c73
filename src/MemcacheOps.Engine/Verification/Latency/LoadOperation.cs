namespace MemcacheOps.Engine.Verification.Latency;

/// <summary>The requests a latency run sends: text get/set, their meta forms, delete and touch.</summary>
public enum LoadOperation : byte
{
    /// <summary>Text <c>get &lt;key&gt;</c>: VALUE ... END or END.</summary>
    Get,
    /// <summary>Text <c>set &lt;key&gt; 0 &lt;ttl&gt; &lt;len&gt;</c>: STORED.</summary>
    Set,
    /// <summary>Meta <c>mg &lt;key&gt; v</c>: VA or EN.</summary>
    Mg,
    /// <summary>Meta <c>ms &lt;key&gt; &lt;len&gt; T&lt;ttl&gt;</c>: HD.</summary>
    Ms,
    /// <summary>Text <c>delete &lt;key&gt;</c>: DELETED or NOT_FOUND.</summary>
    Delete,
    /// <summary>Text <c>touch &lt;key&gt; &lt;ttl&gt;</c>: TOUCHED or NOT_FOUND.</summary>
    Touch,
}

/// <summary>How a request ended, for the per-operation counts and histograms.</summary>
public enum LoadOutcome : byte
{
    /// <summary>A read or touch or delete found the key.</summary>
    Hit,
    /// <summary>A read or touch or delete did not find the key.</summary>
    Miss,
    /// <summary>A store was acknowledged.</summary>
    Stored,
}

/// <summary>The classes of errors a latency run counts separately.</summary>
public enum LoadErrorClass : byte
{
    /// <summary>No reply within the timeout; the connection is reopened.</summary>
    Timeout,
    /// <summary>CLIENT_ERROR or ERROR: the server rejected the request.</summary>
    ClientError,
    /// <summary>SERVER_ERROR (out of memory, too large...).</summary>
    ServerError,
    /// <summary>The connection was reset or closed, could not be opened, or went out of step.</summary>
    Reset,
    /// <summary>A read returned a value that was never written under that key at a version it could have.</summary>
    VerifyMismatch,
    /// <summary>A store was not stored (NOT_STORED / NS).</summary>
    NotStored,
}

internal static class LoadOperations
{
    public const int Count = 6;

    public static bool IsRead(LoadOperation operation) => operation is LoadOperation.Get or LoadOperation.Mg;

    public static bool IsStore(LoadOperation operation) => operation is LoadOperation.Set or LoadOperation.Ms;

    /// <summary>The name used in -Mix and in results.</summary>
    public static string Name(LoadOperation operation) => operation switch
    {
        LoadOperation.Get => "get",
        LoadOperation.Set => "set",
        LoadOperation.Mg => "mg",
        LoadOperation.Ms => "ms",
        LoadOperation.Delete => "delete",
        LoadOperation.Touch => "touch",
        _ => throw new ArgumentOutOfRangeException(nameof(operation)),
    };

    public static bool TryParse(string name, out LoadOperation operation)
    {
        for (var i = 0; i < Count; i++)
        {
            if (string.Equals(Name((LoadOperation)i), name, StringComparison.OrdinalIgnoreCase))
            {
                operation = (LoadOperation)i;
                return true;
            }
        }
        operation = default;
        return false;
    }
}
