using MemcacheOps.Engine.Verification.NodeChecks.Checks;

namespace MemcacheOps.Engine.Verification.NodeChecks;

/// <summary>
/// Every check, in the order a run performs them (after Server/Discover and before Server/Cleanup, which
/// the run reports like checks). Chosen from what memcached's own t/ tests and libmemcached's memcapable
/// cover, without their gaps: memcapable flushes the server, Netflix Rend's setget never parses store
/// replies and slices every value from one shared buffer.
/// </summary>
public static class NodeCheckCatalog
{
    public static IReadOnlyList<NodeCheck> All { get; } =
    [
        new TextSetCheck(),
        new TextAddCheck(),
        new TextReplaceCheck(),
        new TextConcatenateCheck("append"),
        new TextConcatenateCheck("prepend"),
        new TextCasCheck(),
        new TextMultiGetCheck(),
        new TextTouchCheck(),
        new TextGetAndTouchCheck(),
        new TextDeleteCheck(),
        new MetaSetGetCheck(),
        new MetaSetModesCheck(),
        new MetaCasCheck(),
        new MetaDeleteCheck(),
        new MetaArithmeticCheck(),
        new MetaNoopCheck(),
        new MetaVivifyCheck(),
        new MetaNoBumpCheck(),
        new MetaTouchCheck(),
        new TextMissesCheck(),
        new MetaMissesCheck(),
        new TextNoreplyCheck(),
        new MetaQuietCheck(),
        new TextPipelineCheck(),
        new MetaPipelineCheck(),
        new LargePipelineCheck(),
        new OneByteKeyCheck(),
        new MaxLengthKeyCheck(),
        new TooLongKeyCheck(),
        new Base64KeyCheck(),
        new Base64TooLongKeyCheck(),
        new ZeroFlagsCheck(),
        new MaxFlagsCheck(),
        new EveryFlagBitCheck(),
        new EmptyValueCheck(),
        new LineEndingValuesCheck(),
        new EveryByteValueCheck(),
        new UniqueValuesCheck(),
        new SlabBoundaryCheck(),
        new ItemSizeMaxCheck(),
        new TooLargeValueCheck(),
        new TtlReportedCheck(),
        new AbsoluteExpiryCheck(),
        new PastExpiryCheck(),
        new ServerClockCheck(),
        new RealExpiryCheck(),
        new IncrDecrCheck(),
        new DecrFloorCheck(),
        new CounterWrapCheck(),
        new CounterErrorsCheck(),
        new FlushAllCheck(),
    ];
}
