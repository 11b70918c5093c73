#Requires -Version 7.6
# Pester 6. Stopping, as Ctrl+C does: [powershell]::Stop() of a long export, import, move, comparison, stats
# sampling or continuous sync returns within 5 s, releases the servers' connections and leaves a state the
# next run completes; Select-Object -First ends a listing of many keys at once. The long operations are made
# long with -MaxOpsPerSecond on small data sets, so the suite stays quick.

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-Module -Name $ManifestPath -Force -ErrorAction Stop

    $Count = 20000
    $Source = Start-TestMemcached
    $Folder = New-TestFolder -Name 'memcacheops-stopping'
    Add-TestItems -Server $Source.Server -Count $Count -Prefix 'stop:' -ValueSize 64 -Flags 21
    $FullDump = Join-Path $Folder 'full'
    $null = Export-MemcacheData -Server $Source.Server -Path $FullDump -ErrorAction Stop

    function Get-Connections([string] $Server) {
        [long]((Get-MemcacheStats -Server $Server -ErrorAction Stop).CurrentConnections)
    }

    # Runs -Script in its own runspace with the module loaded, waits until -Started says the work is under way,
    # then stops it the way Ctrl+C does and reports how long Stop() took.
    function Invoke-AndStop([string] $Script, [hashtable] $Variables, [scriptblock] $Started, [double] $TimeoutSeconds = 30) {
        $ps = [powershell]::Create()
        try {
            foreach ($name in $Variables.Keys) { $ps.Runspace.SessionStateProxy.SetVariable($name, $Variables[$name]) }
            # One script, not a batch of statements: Stop() ends only the statement of a batch that is running.
            $null = $ps.AddScript("Import-Module -Name '$($ManifestPath -replace "'", "''")' -ErrorAction Stop`n$Script")
            $handle = $ps.BeginInvoke()
            Wait-TestCondition -Condition { $handle.IsCompleted -or (& $Started) } -TimeoutSeconds $TimeoutSeconds -Because 'the operation to get under way'
            # (Never enumerate $ps.Streams here: a running pipeline's collections block enumeration until it ends.)
            $handle.IsCompleted | Should -BeFalse -Because 'the operation should still be running when it is stopped'

            $clock = [System.Diagnostics.Stopwatch]::StartNew()
            $ps.Stop()
            $clock.Stop()
            [pscustomobject]@{
                Elapsed = $clock.Elapsed
                State   = $ps.InvocationStateInfo.State
                Errors  = @($ps.Streams.Error | Where-Object { $_.FullyQualifiedErrorId -notlike 'PipelineStopped*' })
            }
        }
        finally {
            $ps.Dispose()
        }
    }
}

AfterAll {
    Stop-TestMemcached $Source
    if ($Folder) { Remove-Item -Path $Folder -Recurse -Force -ErrorAction SilentlyContinue }
    Remove-Module -Name MemcacheOps -Force -ErrorAction SilentlyContinue
}

Describe 'Stopping a long Export-MemcacheData' {
    It 'returns within 5 s, releases its connections and leaves a dump that -Resume completes' {
        $baseline = Get-Connections $Source.Server
        $path = Join-Path $Folder 'stopped-export'
        $stop = Invoke-AndStop -Script 'Export-MemcacheData -Server $Server -Path $Path -MaxOpsPerSecond 2000 -KeyFileSize 65536' `
            -Variables @{ Server = $Source.Server; Path = $path } -Started { @(Get-ChildItem -Path (Join-Path $path 'data') -File -ErrorAction SilentlyContinue).Count -gt 0 }
        $stop.Elapsed.TotalSeconds | Should -BeLessThan 5
        $stop.State | Should -Be 'Stopped'
        $stop.Errors | Should -BeNullOrEmpty
        Wait-TestCondition -Condition { (Get-Connections $Source.Server) -le $baseline } -TimeoutSeconds 5 -Because 'the export''s connections to close'
        $manifest = Get-Content -Raw -Path (Join-Path $path 'manifest.json') | ConvertFrom-Json
        $manifest.complete | Should -BeFalse

        $resumed = Export-MemcacheData -Server $Source.Server -Path $path -Resume -ErrorAction Stop
        $resumed.Complete | Should -BeTrue
        Compare-MemcacheData -ReferencePath $path -Difference $Source.Server -ErrorAction Stop | Should -BeNullOrEmpty
    }
}

Describe 'Stopping a long Import-MemcacheData' {
    It 'returns within 5 s, and running the import again completes it' {
        $target = Start-TestMemcached
        try {
            $stop = Invoke-AndStop -Script 'Import-MemcacheData -Path $Path -Server $Server -MaxOpsPerSecond 2000' `
                -Variables @{ Server = $target.Server; Path = $FullDump } -Started { (Get-TestItemCount $target.Server) -gt 0 }
            $stop.Elapsed.TotalSeconds | Should -BeLessThan 5
            $stop.State | Should -Be 'Stopped'
            $partial = Get-TestItemCount $target.Server
            $partial | Should -BeLessThan $Count
            Start-Sleep -Milliseconds 500
            Get-TestItemCount $target.Server | Should -Be $partial -Because 'nothing is written after the stop'

            $again = Import-MemcacheData -Path $FullDump -Server $target.Server -ErrorAction Stop
            $again.Stored + $again.AlreadyPresent | Should -Be $Count
            Compare-MemcacheData -Reference $Source.Server -Difference $target.Server -ErrorAction Stop | Should -BeNullOrEmpty
        }
        finally {
            Stop-TestMemcached $target
        }
    }
}

Describe 'Stopping a long Move-MemcacheNode' {
    It 'returns within 5 s, and moving again completes the copy' {
        $target = Start-TestMemcached
        try {
            $stop = Invoke-AndStop -Script 'Move-MemcacheNode -Source $Server -Destination $Target -MaxOpsPerSecond 2000 -Confirm:$false' `
                -Variables @{ Server = $Source.Server; Target = $target.Server } -Started { (Get-TestItemCount $target.Server) -gt 0 }
            $stop.Elapsed.TotalSeconds | Should -BeLessThan 5
            $stop.State | Should -Be 'Stopped'
            Get-TestItemCount $target.Server | Should -BeLessThan $Count

            $again = Move-MemcacheNode -Source $Source.Server -Destination $target.Server -Confirm:$false -ErrorAction Stop
            $again.Status | Should -Be 'Successful'
            Get-TestItemCount $target.Server | Should -Be $Count
        }
        finally {
            Stop-TestMemcached $target
        }
    }

    It 'ends -Continuous syncing within 5 s' {
        $target = Start-TestMemcached
        try {
            $stop = Invoke-AndStop -Script 'Move-MemcacheNode -Source $Server -Destination $Target -Continuous -PassInterval 1 -Confirm:$false' `
                -Variables @{ Server = $Source.Server; Target = $target.Server } -Started { (Get-TestItemCount $target.Server) -ge $Count }
            $stop.Elapsed.TotalSeconds | Should -BeLessThan 5
            $stop.State | Should -Be 'Stopped'
        }
        finally {
            Stop-TestMemcached $target
        }
    }
}

Describe 'Stopping a long Compare-MemcacheData' {
    It 'returns within 5 s and leaves both servers as they were; comparing again gives the answer' {
        $baseline = Get-Connections $Source.Server
        $stop = Invoke-AndStop -Script 'Compare-MemcacheData -Reference $Server -Difference $Server -MaxOpsPerSecond 2000' `
            -Variables @{ Server = $Source.Server } -Started { (Get-Connections $Source.Server) -gt $baseline + 1 }
        $stop.Elapsed.TotalSeconds | Should -BeLessThan 5
        $stop.State | Should -Be 'Stopped'
        Wait-TestCondition -Condition { (Get-Connections $Source.Server) -le $baseline } -TimeoutSeconds 5 -Because 'the comparison''s connections to close'
        Get-TestItemCount $Source.Server | Should -Be $Count
        Compare-MemcacheData -Reference $Source.Server -Difference $FullDump -Summary -ErrorAction Stop | ForEach-Object Differences | Should -Be 0
    }
}

Describe 'Stopping Get-MemcacheStats -Interval' {
    It 'ends sampling that has no -Count within 5 s' {
        $results = [System.Collections.Concurrent.ConcurrentQueue[object]]::new()
        $stop = Invoke-AndStop -Script 'Get-MemcacheStats -Server $Server -Interval 0.5 | ForEach-Object { $Results.Enqueue($_) }' `
            -Variables @{ Server = $Source.Server; Results = $results } -Started { $results.Count -ge 2 }
        $stop.Elapsed.TotalSeconds | Should -BeLessThan 5
        $stop.State | Should -Be 'Stopped'
    }
}

Describe 'Select-Object -First ends a listing promptly' {
    BeforeAll {
        $Many = Start-TestMemcached
        Add-TestItems -Server $Many.Server -Count 200000 -Prefix 'many:' -ValueSize 10
    }

    AfterAll {
        Stop-TestMemcached $Many
    }

    It 'returns the first keys far sooner than the whole listing, and closes the listing connection' {
        $baseline = Get-Connections $Many.Server
        $whole = Measure-Command { $null = Get-MemcacheKeys -Server $Many.Server -ErrorAction Stop }
        $first = Measure-Command { $script:firstKeys = @(Get-MemcacheKeys -Server $Many.Server -ErrorAction Stop | Select-Object -First 3) }
        $script:firstKeys.Count | Should -Be 3
        $first.TotalMilliseconds | Should -BeLessThan ($whole.TotalMilliseconds / 3) -Because "the whole listing took $([int]$whole.TotalMilliseconds) ms"
        Wait-TestCondition -Condition { (Get-Connections $Many.Server) -le $baseline } -TimeoutSeconds 5 -Because 'the listing connection to close'
    }

    It 'stops a listing piped into a slow consumer when the consumer has enough' {
        $clock = [System.Diagnostics.Stopwatch]::StartNew()
        $taken = @(Get-MemcacheKeys -Server $Many.Server -ErrorAction Stop | ForEach-Object { Start-Sleep -Milliseconds 5; $_ } | Select-Object -First 20)
        $clock.Stop()
        $taken.Count | Should -Be 20
        $clock.Elapsed.TotalSeconds | Should -BeLessThan 10
    }

    It 'lets -First stop the listing on the server side too' {
        $listed = @(Get-MemcacheKeys -Server $Many.Server -First 10 -ErrorAction Stop)
        $listed.Count | Should -Be 10
    }
}
