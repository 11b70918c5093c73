<#
.SYNOPSIS
    Warms a new member of an mcrouter pool from its peers before it joins the pool, and verifies it.
.DESCRIPTION
    mcrouter places keys by position in the pool's "servers" list (hash ch3 by default). Appending a
    server to a ch3 pool of n gives it about 1/(n+1) of the keys, taken from every peer, and leaves every
    other key where it is. Added cold, that share is a run of misses on the backing store. This copies
    exactly the keys the grown pool gives the new member, from the peers that hold them now (mode Add:
    nothing the member already has is overwritten; later passes copy keys that changed meanwhile), then
    checks that a client of the grown pool finds every key of the peers where it looks. Then add the
    member at the end of the pool's "servers" list and reload mcrouter's configuration. The copied keys
    stay on the peers until they expire or are evicted; mcrouter no longer looks for them there.
    For a WeightedCh3 pool, run Move-MemcacheNode yourself with -RingForm WeightedCh3 and -HashWeight
    (the weights of the grown pool): the check below needs one placement for both pools.
.PARAMETER Peer
    The pool's current servers, in the order of its "servers" list.
.PARAMETER NewMember
    The server to add at the end of the list.
.PARAMETER HashSalt
    The pool's hash_salt, when it has one.
.EXAMPLE
    ./Warm-McrouterPoolMember.ps1 -Peer mc-a:11211, mc-b:11211, mc-c:11211 -NewMember mc-d:11211 -HashSalt main-1
#>
[CmdletBinding(SupportsShouldProcess)]
param(
    [Parameter(Mandatory)] [string[]] $Peer,
    [Parameter(Mandatory)] [string] $NewMember,
    [string] $HashSalt,
    [double] $MaxOpsPerSecond = 30000
)
$ErrorActionPreference = 'Stop'
Import-Module MemcacheOps
$grown = @($Peer) + $NewMember
$placement = @{ RingForm = 'Ch3' }
if ($HashSalt) { $placement.HashSalt = $HashSalt }

# The plan first: how many items and bytes the new member would receive (writes nothing).
Move-MemcacheNode -Source $Peer -Destination $NewMember -RingServer $grown @placement -WhatIf

$result = Move-MemcacheNode -Source $Peer -Destination $NewMember -RingServer $grown @placement -Mode Add -Passes 3 -MaxOpsPerSecond $MaxOpsPerSecond
$result | Format-Table
if ($result.Status -eq 'Failed') { throw "Warming $NewMember failed; rerun to complete it." }

# The old pool is the reference: every key on its owner among the peers must be found where a client of
# the grown pool looks (on the same peer, or on the new member).
$differences = Compare-MemcacheData -Reference $Peer -Difference $grown @placement -Summary
if ($differences.Missing -gt $result.Residual) { throw "$($differences.Missing) keys are not where the grown pool looks for them." }
"$NewMember holds its share. Add it at the end of the pool's servers list and reload mcrouter's configuration."
