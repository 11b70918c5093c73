namespace MemcacheOps.Tests.Faults;

/// <summary>
/// The fault matrix's cells run one after another (each freezes, kills or trickles a server and times how long
/// the operation takes to give up), while other test collections run beside them.
/// </summary>
[CollectionDefinition(Name)]
public sealed class FaultMatrixCollection
{
    public const string Name = "fault matrix";
}
