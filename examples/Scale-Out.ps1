<#
.SYNOPSIS
    Grows a cluster from 3 to 5 nodes, moving only the keys whose owner changes, and verifies it.
.DESCRIPTION
    Clients hash keys with ketama (EVCache/spymemcached form). Adding two nodes changes the owner of
    about 40% of the keys. -OnlyMoved copies just those, from their old owner to their new one, so the
    new nodes are warm when clients switch to the 5-node ring. The check afterwards compares the old
    ring with the new ring: every key must be found on its new owner.
.EXAMPLE
    ./Scale-Out.ps1 -OldRing a:11211, b:11211, c:11211 -NewNodes d:11211, e:11211
#>
[CmdletBinding(SupportsShouldProcess)]
param(
    [Parameter(Mandatory)] [string[]] $OldRing,
    [Parameter(Mandatory)] [string[]] $NewNodes
)
$ErrorActionPreference = 'Stop'
Import-Module MemcacheOps
$newRing = $OldRing + $NewNodes

# The plan first: how many items and bytes each node would receive.
Move-MemcacheNode -Source $OldRing -Destination $newRing -OnlyMoved -WhatIf

$results = Move-MemcacheNode -Source $OldRing -Destination $newRing -OnlyMoved -MaxOpsPerSecond 20000
$results | Format-Table
if ($results | Where-Object Status -eq 'Failed') { throw 'Some destinations failed; rerun to complete the move.' }

$differences = Compare-MemcacheData -Reference $OldRing -Difference $newRing -Summary
if ($differences.Missing -gt 0) { throw "$($differences.Missing) keys are not on their new owner." }
'The 5-node ring holds every key of the 3-node ring.'
