namespace MemcacheOps.Engine.Config;

/// <summary>
/// Reads a cachemover configuration file. The engine knows no file syntax; an adapter implements this
/// (YAML) and the front ends hand it in.
/// </summary>
public interface IConfigFileReader
{
    /// <summary>
    /// Reads every key the file gives. Throws <see cref="MemcacheException"/> when the file is missing,
    /// unreadable, not valid syntax, or has an unknown key or a bad value (naming file, line, column, key
    /// and what is expected). Does not check which keys are present: see <see cref="CachemoverConfig.Validate"/>.
    /// </summary>
    CachemoverConfig Read(string path);
}
