<#
    Pester checks that prove a new memcached node before clients are cut over to it:
        $env:MEMCACHEOPS_NEW_NODE = 'new-cache:11211'         # the node(s) to prove, comma-separated
        $env:MEMCACHEOPS_OLD_NODE = 'old-cache:11211'         # optional: the node it replaces
        Invoke-Pester ./Prove-NewNode.Tests.ps1 -Output Detailed
        $env:MEMCACHEOPS_TARGET_RATE = '5000'; $env:MEMCACHEOPS_MAX_P99_MS = '2'   # optional: the load to prove
        $env:MEMCACHEOPS_LATENCY_SECONDS = '10'                                    # optional: how long to load it
    Safe on a node that already takes traffic: Test-MemcacheNode and Measure-MemcacheLatency write and delete
    only keys of their own (prefixes memcacheops-test: and memcacheops-latency:) and never flush. A failed
    check shows what the node did instead.
#>
BeforeDiscovery {
    $script:newNode = $env:MEMCACHEOPS_NEW_NODE
}

Describe 'New node' -Skip:(-not $env:MEMCACHEOPS_NEW_NODE) {
    BeforeAll {
        if (-not (Get-Module -Name MemcacheOps)) { Import-Module MemcacheOps }
        $newNode = $env:MEMCACHEOPS_NEW_NODE -split ','
        $oldNode = if ($env:MEMCACHEOPS_OLD_NODE) { $env:MEMCACHEOPS_OLD_NODE -split ',' } else { @() }
    }

    It 'answers, with meta commands (memcached 1.6 or later)' {
        $stats = Get-MemcacheStats -Server $newNode -ErrorAction Stop
        $stats | Should -HaveCount $newNode.Count
        foreach ($node in $stats) { [version]($node.Version -replace '[^0-9.].*$') | Should -BeGreaterOrEqual ([version]'1.6') }
    }

    It 'stores values as large as the node it replaces, with as much memory' -Skip:(-not $env:MEMCACHEOPS_OLD_NODE) {
        $old = Get-MemcacheStats -Server $oldNode -Group Settings -ErrorAction Stop | Select-Object -First 1
        foreach ($node in Get-MemcacheStats -Server $newNode -Group Settings -ErrorAction Stop) {
            $node.ItemSizeMax | Should -BeGreaterOrEqual $old.ItemSizeMax -Because "$($node.Server) must take every item of $($old.Server)"
            $node.MaxBytes | Should -BeGreaterOrEqual $old.MaxBytes -Because "$($node.Server) must hold what $($old.Server) holds"
        }
    }

    It 'behaves like memcached: every protocol check passes' {
        # Each failed check is listed with what it expected and what the node did.
        Test-MemcacheNode -Server $newNode -ErrorAction Stop |
            Where-Object Result -EQ 'Failed' |
            Select-Object Server, Group, Check, Expected, Actual |
            Should -BeNullOrEmpty
    }

    It 'is the same on a second run (a Pester gate can use -Quiet)' {
        Test-MemcacheNode -Server $newNode -Quiet -ErrorAction Stop | Should -Not -Contain $false
    }

    It 'keeps p99 latency within the limit under the expected load (open loop)' {
        # The rate the node must carry and the p99 it must keep there: set them for your fleet.
        $rate = if ($env:MEMCACHEOPS_TARGET_RATE) { [double]$env:MEMCACHEOPS_TARGET_RATE } else { 5000 }
        $p99 = if ($env:MEMCACHEOPS_MAX_P99_MS) { [double]$env:MEMCACHEOPS_MAX_P99_MS } else { 2 }
        $seconds = if ($env:MEMCACHEOPS_LATENCY_SECONDS) { [double]$env:MEMCACHEOPS_LATENCY_SECONDS } else { 10 }
        $latency = Measure-MemcacheLatency -Server $newNode -TargetRate $rate -Duration $seconds -MaxP99Milliseconds $p99 -MaxErrorRate 0.001 -ErrorAction Stop
        $latency.Failures | Should -BeNullOrEmpty
        $latency.Passed | Should -BeTrue
    }

    It 'was left as it was found: no test key remains' {
        foreach ($prefix in 'memcacheops-test:*', 'memcacheops-latency:*') {
            $left = Get-MemcacheKeys -Server $newNode -Pattern $prefix -CountOnly -ErrorAction Stop
            ($left | Measure-Object -Property Count -Sum).Sum | Should -Be 0 -Because "no $prefix key may stay on the node"
        }
    }
}
