#Requires -Version 7.6
# Pester 6. Measure-MemcacheLatency against a real memcached started on a free 127.0.0.1 port: the Pester gate
# the cmdlet is for, its output objects and views, errors, Ctrl+C, and where HdrHistogram is loaded.
# Limits are generous on purpose: CI is a loaded 2-core machine, and these tests check behaviour, not speed.

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-Module -Name $ManifestPath -Force -ErrorAction Stop
    $Cache = Start-TestMemcached

    function Get-ItemCount([string] $Server) {
        (Get-MemcacheStats -Server $Server).CurrentItems
    }
}

AfterAll {
    Stop-TestMemcached $Cache
    Remove-Module -Name MemcacheOps -Force -ErrorAction SilentlyContinue
}

Describe 'Measure-MemcacheLatency' {
    It 'passes a p99 gate in a Pester test' {
        (Measure-MemcacheLatency -Server $Cache.Server -TargetRate 2000 -Duration 2 -MaxP99Milliseconds 500).Passed | Should -BeTrue
    }

    It 'fails the same gate when the limit cannot be met, and says why' {
        $result = Measure-MemcacheLatency -Server $Cache.Server -TargetRate 500 -Duration 1 -MaxP99Milliseconds 0.000001
        $result.Passed | Should -BeFalse
        $result.Failures | Should -Match 'above the limit of 1E-06 ms'
    }

    It 'reports ordered percentiles, service time, hits and the server''s own counters, and deletes its keys' {
        $before = Get-ItemCount $Cache.Server
        $result = Measure-MemcacheLatency -Server $Cache.Server -TargetRate 1000 -Duration 1.5 -Mix 'get=80,mg=10,set=5,ms=5' -VerifyPercent 100
        $result | Should -BeOfType ([MemcacheOps.Engine.Verification.Latency.LatencyResult])
        $result.Mode | Should -Be 'OpenLoop'
        $result.AchievedRate | Should -BeGreaterThan 800
        $p = $result.Latency
        @($p.P50, $p.P90, $p.P99, $p.P999, $p.P9999, $p.Max) | Should -Be @(@($p.P50, $p.P90, $p.P99, $p.P999, $p.P9999, $p.Max) | Sort-Object)
        $result.ServiceTime.Count | Should -Be $result.Requests
        $result.HitRatio | Should -Be 1
        $result.Verified | Should -BeGreaterThan 1000
        $result.ErrorCounts.VerifyMismatch | Should -Be 0
        ($result.ByOperation | Where-Object Operation -EQ 'get').Count + ($result.ByOperation | Where-Object Operation -EQ 'mg').Count | Should -Be $result.ServerDelta.Gets
        $result.Servers | Should -HaveCount 1
        Get-ItemCount $Cache.Server | Should -Be $before
    }

    It 'emits intervals as it goes, then the result' {
        $out = @(Measure-MemcacheLatency -Server $Cache.Server -TargetRate 1000 -Duration 2 -IntervalSeconds 0.5)
        $intervals = @($out | Where-Object { $_ -is [MemcacheOps.Engine.Verification.Latency.LatencyInterval] })
        $intervals.Count | Should -BeGreaterOrEqual 3
        $intervals[0].Server | Should -Be $Cache.Server
        $out[-1] | Should -BeOfType ([MemcacheOps.Engine.Verification.Latency.LatencyResult])
    }

    It 'runs closed loop at full speed with -TargetRate 0' {
        $result = Measure-MemcacheLatency -Server $Cache.Server -TargetRate 0 -Duration 1 -Connections 2 -Pipeline 16 -KeyDistribution Zipf -ValueSize '10-1000'
        $result.Mode | Should -Be 'ClosedLoop'
        $result.Requests | Should -BeGreaterThan 1000
        $result.Passed | Should -BeTrue
    }

    It 'shows every column of its tables at 80 columns' {
        $result = Measure-MemcacheLatency -Server $Cache.Server -TargetRate 500 -Duration 1
        $table = $result | Out-String -Width 80
        foreach ($header in 'Server', 'Rate/s (target)', 'p50 ms', 'p99 ms', 'Errors', 'Passed') { $table | Should -Match ([regex]::Escape($header)) }
        $table | Should -Match ([regex]::Escape($Cache.Server))
        $percentiles = $result.Latency | Out-String -Width 80
        foreach ($header in 'Requests', 'p50 ms', 'p90 ms', 'p99 ms', 'p99.9 ms', 'Max ms') { $percentiles | Should -Match ([regex]::Escape($header)) }
        $operations = $result.ByOperation | Out-String -Width 80
        foreach ($header in 'Operation', 'Requests', 'Hits', 'Misses', 'p50 ms', 'p99 ms') { $operations | Should -Match ([regex]::Escape($header)) }
        ($table + $percentiles + $operations) -split "`n" | ForEach-Object { $_.TrimEnd().Length | Should -BeLessOrEqual 80 }
    }

    It 'says what is wrong with a bad mix' {
        { Measure-MemcacheLatency -Server $Cache.Server -Mix 'get=90,fetch=10' -ErrorAction Stop } |
            Should -Throw -ErrorId 'LatencyMixInvalid,MemcacheOps.Cmdlets.Commands.MeasureMemcacheLatencyCommand'
    }

    It 'fails with a connection error for a server that is not there' {
        $port = Get-FreeTcpPort
        { Measure-MemcacheLatency -Server "127.0.0.1:$port" -Duration 1 -ErrorAction Stop } |
            Should -Throw -ErrorId 'MemcacheConnectionFailed,MemcacheOps.Cmdlets.Commands.MeasureMemcacheLatencyCommand'
    }

    It 'stops promptly on Ctrl+C and still deletes its keys' {
        $before = Get-ItemCount $Cache.Server
        $ps = [powershell]::Create()
        $null = $ps.AddScript("Import-Module '$ManifestPath'; Measure-MemcacheLatency -Server $($Cache.Server) -TargetRate 1000 -Duration 60 -KeyCount 5000")
        $handle = $ps.BeginInvoke()
        Start-Sleep -Seconds 2
        $watch = [System.Diagnostics.Stopwatch]::StartNew()
        $ps.Stop()
        $watch.Elapsed.TotalSeconds | Should -BeLessThan 15
        $handle.IsCompleted | Should -BeTrue
        $ps.Dispose()
        Get-ItemCount $Cache.Server | Should -Be $before
    }

    It 'loads HdrHistogram in the adapters'' private load context, never the default one' {
        $hdr = @([System.AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'HdrHistogram' })
        $hdr | Should -Not -BeNullOrEmpty
        foreach ($assembly in $hdr) {
            [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($assembly).Name | Should -Be 'MemcacheOps.Adapters'
        }
    }
}
