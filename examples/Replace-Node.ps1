<#
.SYNOPSIS
    Replaces a degraded memcached node with a new one while traffic keeps flowing.
.DESCRIPTION
    1. Checks the new node is reachable and big enough (Move-MemcacheNode's preflight refuses otherwise).
    2. Copies every item of the old node to the new one (mode Add: never overwrites what live traffic
       already wrote there), then keeps syncing changed keys until fewer than 100 change per pass.
    3. Proves the copy with Compare-MemcacheData and stops if anything but the residual differs.
    Switch clients to the new node after this script succeeds, then retire the old one.
.EXAMPLE
    ./Replace-Node.ps1 -OldNode cache-07:11211 -NewNode cache-17:11211
#>
[CmdletBinding(SupportsShouldProcess)]
param(
    [Parameter(Mandatory)] [string] $OldNode,
    [Parameter(Mandatory)] [string] $NewNode,
    # Protects live traffic on both nodes.
    [int] $MaxOpsPerSecond = 50000
)
$ErrorActionPreference = 'Stop'
Import-Module MemcacheOps

Get-MemcacheStats -Server $OldNode, $NewNode | Format-Table

$result = Move-MemcacheNode -Source $OldNode -Destination $NewNode -ChangeThreshold 100 -Deadline 1800 `
    -MaxOpsPerSecond $MaxOpsPerSecond -SyncDeletes
$result | Format-Table
if ($result.Status -ne 'Successful') {
    throw "The move to $NewNode did not succeed: $($result.Notes -join '; ')"
}

$summary = Compare-MemcacheData -Reference $OldNode -Difference $NewNode -Summary
"Compared {0:N0} keys: {1:N0} equal; residual reported by the move: {2:N0}" -f $summary.Compared, $summary.Equal, $result.Residual
