#Requires -Version 7.6
# Pester 5/6. Test-MemcacheNode as users run it: against memcached processes this file starts (a default one
# and one started with -I 64k), through the pipeline, with -Quiet in Should, with errors, -WhatIf, its views
# at 80 columns and a stop in the middle. (The Prove-NewNode runbook in examples/ runs in Runbooks.Tests.ps1.)

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-Module -Name $ManifestPath -Force -ErrorAction Stop
    $Default = Start-TestMemcached
    # memcached 1.6.18 refuses -I below its default slab_chunk_max (512 KiB), so it is lowered with it.
    $Small = Start-TestMemcached -ArgumentList '-I', '64k', '-o', 'slab_chunk_max=32768'

    function Get-TestKeyCount([string] $Server) {
        (Get-MemcacheKeys -Server $Server -Pattern 'memcacheops-test:*' -CountOnly -ErrorAction Stop).Count
    }
}

AfterAll {
    Stop-TestMemcached $Default
    Stop-TestMemcached $Small
    Remove-Module -Name MemcacheOps -Force -ErrorAction SilentlyContinue
}

Describe 'Test-MemcacheNode' {
    It 'passes every check on memcached 1.6.18: -Quiet gives $true' {
        Test-MemcacheNode -Server $Default.Server -Quiet | Should -BeTrue
    }

    It 'passes every check on a server started with -I 64k, at its own limit' {
        $results = Test-MemcacheNode -Server $Small.Server
        $results | Where-Object Result -EQ 'Failed' | Should -BeNullOrEmpty
        ($results | Where-Object Check -EQ 'Discover').Actual | Should -Match 'item_size_max 64 KiB'
        ($results | Where-Object Check -EQ 'ItemSizeMax').Actual | Should -Match '^65,\d{3} bytes exact'
    }

    It 'emits one result per check with Server, Group, Check, Result, Expected, Actual and Duration' {
        $results = @(Test-MemcacheNode -Server $Default.Server)
        $results.Count | Should -BeGreaterOrEqual 50
        @($results | Where-Object Result -EQ 'Passed').Count | Should -BeGreaterOrEqual 30
        @($results | Where-Object Result -EQ 'Skipped').Check | Sort-Object | Should -Be @('FlushAll', 'RealExpiry')
        $results[0].PSObject.Properties.Name | Should -Be @('Server', 'Group', 'Check', 'Result', 'Expected', 'Actual', 'Duration')
        $results | ForEach-Object { $_.Server | Should -Be $Default.Server }
        $results[0] | Should -BeOfType ([MemcacheOps.Engine.Verification.NodeChecks.NodeCheckResult])
    }

    It 'checks several servers at once; -Quiet answers in the order given' {
        Test-MemcacheNode -Server $Small.Server, $Default.Server -Quiet | Should -Be @($true, $true)
        $results = Test-MemcacheNode -Server $Small.Server, $Default.Server
        ($results | Group-Object Server).Count | Should -Be 2
    }

    It 'takes servers from the pipeline, by value and by the Server property' {
        $Default.Server | Test-MemcacheNode -Quiet | Should -BeTrue
        [pscustomobject]@{ Server = $Small.Server } | Test-MemcacheNode -Quiet | Should -BeTrue
        Get-MemcacheStats -Server $Default.Server | Test-MemcacheNode -Quiet | Should -BeTrue
    }

    It 'leaves other clients'' items alone, never flushes and leaves no key of its own' {
        Set-TestItem -Server $Default.Server -Items @{ 'app:one' = 'first'; 'app:two' = 'second' } -Flags 7
        Test-MemcacheNode -Server $Default.Server -Quiet | Should -BeTrue
        $items = Get-TestItem -Server $Default.Server -Key 'app:one', 'app:two'
        $items['app:one'].Value | Should -Be 'first'
        $items['app:two'].Flags | Should -Be 7
        (Get-MemcacheStats -Server $Default.Server).CmdFlush | Should -Be 0
        Get-TestKeyCount $Default.Server | Should -Be 0
    }

    It 'reports an unreachable server as a non-terminating error, and $false with -Quiet' {
        $closed = "127.0.0.1:$(Get-FreeTcpPort)"
        $result = Test-MemcacheNode -Server $closed, $Default.Server -Quiet -ErrorVariable failures -ErrorAction SilentlyContinue
        $result | Should -Be @($false, $true)
        $failures | Should -HaveCount 1
        $failures[0].FullyQualifiedErrorId | Should -Be 'MemcacheConnectionFailed,MemcacheOps.Cmdlets.Commands.TestMemcacheNodeCommand'
        $failures[0].CategoryInfo.Category | Should -Be 'ConnectionError'
        $failures[0].TargetObject | Should -Be $closed
        { Test-MemcacheNode -Server $closed -ErrorAction Stop } | Should -Throw -ErrorId 'MemcacheConnectionFailed,*'
    }

    It 'runs nothing with -WhatIf' {
        $before = (Get-MemcacheStats -Server $Default.Server).CmdSet
        Test-MemcacheNode -Server $Default.Server -Destructive -WhatIf | Should -BeNullOrEmpty
        (Get-MemcacheStats -Server $Default.Server).CmdSet | Should -Be $before
    }

    It 'shows a table that keeps every column at 80 columns, and Expected and Actual in its list view' {
        $results = Test-MemcacheNode -Server $Default.Server
        $table = $results | Select-Object -First 5 | Out-String -Width 80
        $header = ($table -split "`r?`n" | Where-Object { $_ -match '\S' } | Select-Object -First 1)
        foreach ($column in 'Server', 'Check', 'Result', 'Actual') { $header | Should -Match "\b$column\b" }
        ($table -split "`r?`n" | ForEach-Object Length | Measure-Object -Maximum).Maximum | Should -BeLessOrEqual 80
        $table | Should -Match 'Text/Set\s+Passed'
        $list = $results | Select-Object -First 1 | Format-List | Out-String -Width 80
        foreach ($field in 'Expected', 'Actual', 'Duration') { $list | Should -Match "$field\s*:" }
    }

    It 'stops within seconds when stopped, and still deletes the keys it wrote' {
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript("Import-Module '$ManifestPath'; Test-MemcacheNode -Server '$($Small.Server)' -IncludeSlow")
            $handle = $ps.BeginInvoke()
            $deadline = [DateTime]::UtcNow.AddSeconds(20)
            # Stop while the slow check waits for items to expire.
            while ((Get-TestKeyCount $Small.Server) -lt 100 -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 100 }
            $clock = [System.Diagnostics.Stopwatch]::StartNew()
            $ps.Stop()
            $clock.Elapsed.TotalSeconds | Should -BeLessThan 5
            $handle.IsCompleted | Should -BeTrue
            # Stopped in the middle, not finished before the stop came.
            $ps.InvocationStateInfo.State | Should -Be 'Stopped'
        }
        finally {
            $ps.Dispose()
        }
        Get-TestKeyCount $Small.Server | Should -Be 0
    }
}
