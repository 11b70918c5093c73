<#
.SYNOPSIS
    Warms a node that restarted empty from its replicas, copying only the keys it owns.
.DESCRIPTION
    In a replicated cache (EVCache style) every replica holds the full key space, spread over its own
    ring. When one node of a replica restarts empty, the same keys exist on the other replica. This
    reads the other replica's nodes and copies only the keys the restarted node owns on its own ring.
.EXAMPLE
    ./Warm-RestartedNode.ps1 -Node r1-c:11211 -Ring r1-a:11211, r1-b:11211, r1-c:11211 -Replica r2-a:11211, r2-b:11211, r2-c:11211
#>
[CmdletBinding(SupportsShouldProcess)]
param(
    [Parameter(Mandatory)] [string] $Node,
    [Parameter(Mandatory)] [string[]] $Ring,
    [Parameter(Mandatory)] [string[]] $Replica
)
$ErrorActionPreference = 'Stop'
Import-Module MemcacheOps

$result = Move-MemcacheNode -Source $Replica -Destination $Node -RingServer $Ring -Mode Add -MaxOpsPerSecond 30000
$result | Format-Table
Get-MemcacheStats -Server $Node | Format-Table
