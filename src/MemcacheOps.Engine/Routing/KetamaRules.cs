namespace MemcacheOps.Engine.Routing;

/// <summary>
/// What distinguishes one client's ketama ring from another's (<see cref="KetamaForm"/>): the string each
/// server's digests hash, how many digests a server gets, whether weights exist, and which server owns a
/// point two servers share. <see cref="KetamaRing"/> builds and searches the ring the same way for every
/// form; each form is one small class (<see cref="SpymemcachedKetama"/>, <see cref="LibmemcachedKetama"/>).
/// </summary>
internal abstract class KetamaRules
{
    public static KetamaRules For(KetamaForm form) => form switch
    {
        KetamaForm.Spymemcached => SpymemcachedKetama.Instance,
        KetamaForm.Libmemcached => LibmemcachedKetama.Instance,
        _ => throw new ArgumentOutOfRangeException(nameof(form), form, "Unknown ketama form."),
    };

    public abstract KetamaForm Form { get; }

    /// <summary>The ring form of the same placement, for <see cref="IOwnerLookup.Form"/>.</summary>
    public abstract RingForm RingForm { get; }

    /// <summary>The string each digest of <paramref name="node"/> hashes before its <c>-&lt;index&gt;</c> suffix.</summary>
    public abstract string HashBase(KetamaNode node);

    /// <summary>Whether servers may have weights other than 1.</summary>
    public abstract bool HasWeights { get; }

    /// <summary>MD5 digests (4 points each) for a server of <paramref name="weight"/>.</summary>
    public abstract int Digests(int weight, long totalWeight, int serverCount, int pointsPerServer);

    /// <summary>True when, of servers sharing a point, the one listed last owns it; false for the first.</summary>
    public abstract bool LastListedWinsTies { get; }
}
