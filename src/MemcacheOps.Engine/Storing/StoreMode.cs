namespace MemcacheOps.Engine.Storing;

/// <summary>How items are written to a target server.</summary>
public enum StoreMode
{
    /// <summary>Only when the key is absent (meta <c>ME</c>): never overwrites fresher data that live traffic wrote.</summary>
    Add,
    /// <summary>Always write (meta <c>MS</c>).</summary>
    Set,
    /// <summary>Only when the key already exists (meta <c>MR</c>).</summary>
    Replace,
}
