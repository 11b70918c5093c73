<#
    Pester checks that prove a new memcached node before clients are cut over to it:
        $env:MEMCACHEOPS_NEW_NODE = 'new-cache:11211'         # the node(s) to prove, comma-separated
        $env:MEMCACHEOPS_OLD_NODE = 'old-cache:11211'         # optional: the node it replaces
        Invoke-Pester ./Prove-NewNode.Tests.ps1 -Output Detailed
    Safe on a node that already takes traffic: Test-MemcacheNode writes and deletes only keys of its own
    (prefix memcacheops-test:) and never flushes. A failed check shows what the node did instead.
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

    # ---- Latency under load: Measure-MemcacheLatency goes here (open-loop load with a p99 threshold). ----

    It 'was left as it was found: no test key remains' {
        $left = Get-MemcacheKeys -Server $newNode -Pattern 'memcacheops-test:*' -CountOnly -ErrorAction Stop
        ($left | Measure-Object -Property Count -Sum).Sum | Should -Be 0
    }
}
