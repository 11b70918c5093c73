#Requires -Version 7.6
# Pester 5 and 6. A server that freezes under a cmdlet (SIGSTOP on a real memcached started on a free 127.0.0.1
# port): stopping the cmdlet ([powershell]::Stop(), what Ctrl+C does) returns within 5 s, and a cmdlet left to
# run ends with an error naming the server instead of hanging. See docs/faults.md.

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-Module -Name $ManifestPath -Force -ErrorAction Stop

    $Count = 1500
    $Folder = Join-Path ([System.IO.Path]::GetTempPath()) ("memcacheops-faults-" + [guid]::NewGuid().ToString('N'))
    $null = New-Item -ItemType Directory -Path $Folder

    # A dump of $Count items to import, made once.
    $seed = Start-TestMemcached
    try {
        Set-TestItemRange -Server $seed.Server -Prefix 'fault:' -Count $Count
        $Dump = Join-Path $Folder 'dump'
        $null = Export-MemcacheData -Server $seed.Server -Path $Dump -ErrorAction Stop
    }
    finally {
        Stop-TestMemcached $seed
    }

    function Get-CmdGet([string] $Server) { [long](Get-MemcacheStats -Server $Server).Raw['cmd_get'] }

    # Runs $Script in its own runspace (as a user's pipeline), waits until $Ready says the cmdlet is under way,
    # freezes $Frozen, then stops the pipeline and returns how long Stop() took.
    function Measure-StopWhileFrozen([scriptblock] $Script, [object[]] $Arguments, $Frozen, [scriptblock] $Ready) {
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript("Import-Module -Name '$ManifestPath' -ErrorAction Stop").AddStatement()
            $null = $ps.AddScript($Script)
            foreach ($argument in $Arguments) { $null = $ps.AddArgument($argument) }
            $handle = $ps.BeginInvoke()
            $deadline = [DateTime]::UtcNow.AddSeconds(60)
            while (-not (& $Ready) -and -not $handle.IsCompleted -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }
            $handle.IsCompleted | Should -BeFalse -Because 'the cmdlet must still be running when its server freezes'
            Suspend-TestMemcached $Frozen
            Start-Sleep -Milliseconds 300
            $clock = [System.Diagnostics.Stopwatch]::StartNew()
            $ps.Stop()
            return $clock.Elapsed
        }
        finally {
            Resume-TestMemcached $Frozen
            $ps.Dispose()
        }
    }
}

AfterAll {
    if ($Folder -and (Test-Path $Folder)) { Remove-Item -Path $Folder -Recurse -Force }
    Remove-Module -Name MemcacheOps -Force -ErrorAction SilentlyContinue
}

Describe 'Stopping a cmdlet while its server is frozen' {
    BeforeEach {
        $Frozen = Start-TestMemcached
        $Other = Start-TestMemcached
    }

    AfterEach {
        Resume-TestMemcached $Frozen
        Stop-TestMemcached $Frozen
        Stop-TestMemcached $Other
    }

    It 'stops Export-MemcacheData within 5 s' {
        Set-TestItemRange -Server $Frozen.Server -Prefix 'fault:' -Count $Count
        $took = Measure-StopWhileFrozen -Frozen $Frozen -Ready { (Get-CmdGet $Frozen.Server) -ge 200 } -Arguments @($Frozen.Server, (Join-Path $Folder 'stopped-export')) -Script {
            param($server, $path) Export-MemcacheData -Server $server -Path $path -MaxOpsPerSecond 300
        }
        $took.TotalSeconds | Should -BeLessThan 5
    }

    It 'stops Import-MemcacheData within 5 s' {
        $took = Measure-StopWhileFrozen -Frozen $Frozen -Ready { (Get-MemcacheStats -Server $Frozen.Server).CurrentItems -ge 200 } -Arguments @($Dump, $Frozen.Server) -Script {
            param($path, $server) Import-MemcacheData -Path $path -Server $server -MaxOpsPerSecond 300 -Confirm:$false
        }
        $took.TotalSeconds | Should -BeLessThan 5
    }

    It 'stops Move-MemcacheNode within 5 s' {
        Set-TestItemRange -Server $Other.Server -Prefix 'fault:' -Count $Count
        $took = Measure-StopWhileFrozen -Frozen $Frozen -Ready { (Get-MemcacheStats -Server $Frozen.Server).CurrentItems -ge 200 } -Arguments @($Other.Server, $Frozen.Server) -Script {
            param($source, $destination) Move-MemcacheNode -Source $source -Destination $destination -MaxOpsPerSecond 300 -Confirm:$false
        }
        $took.TotalSeconds | Should -BeLessThan 5
    }

    It 'stops Compare-MemcacheData within 5 s' {
        Set-TestItemRange -Server $Frozen.Server -Prefix 'fault:' -Count $Count
        Set-TestItemRange -Server $Other.Server -Prefix 'fault:' -Count $Count
        $took = Measure-StopWhileFrozen -Frozen $Frozen -Ready { (Get-CmdGet $Frozen.Server) -ge 200 } -Arguments @($Frozen.Server, $Other.Server) -Script {
            param($reference, $difference) Compare-MemcacheData -Reference $reference -Difference $difference -MaxOpsPerSecond 300
        }
        $took.TotalSeconds | Should -BeLessThan 5
    }
}

Describe 'A cmdlet whose server freezes ends with an error naming it' {
    BeforeEach {
        $Frozen = Start-TestMemcached
        $Other = Start-TestMemcached
    }

    AfterEach {
        Resume-TestMemcached $Frozen
        Stop-TestMemcached $Frozen
        Stop-TestMemcached $Other
    }

    It 'Export-MemcacheData: a terminating error with the server and -Resume' {
        Set-TestItemRange -Server $Frozen.Server -Prefix 'fault:' -Count $Count
        $path = Join-Path $Folder 'failed-export'
        Suspend-TestMemcached $Frozen -AfterSeconds 1
        $clock = [System.Diagnostics.Stopwatch]::StartNew()
        $failure = $null
        try { $null = Export-MemcacheData -Server $Frozen.Server -Path $path -MaxOpsPerSecond 300 -Timeout 2 -ErrorAction Stop }
        catch { $failure = $_ }
        $clock.Elapsed.TotalSeconds | Should -BeLessThan 8
        $failure | Should -Not -BeNullOrEmpty
        $failure.FullyQualifiedErrorId | Should -Match '^MemcacheReadTimeout'
        $failure.TargetObject | Should -Be $Frozen.Server
        $failure.Exception.Message | Should -Match ([regex]::Escape($Frozen.Server))
        $failure.Exception.Message | Should -Match '-Resume'

        Resume-TestMemcached $Frozen
        $resumed = Export-MemcacheData -Server $Frozen.Server -Path $path -Resume -ErrorAction Stop
        $resumed.Complete | Should -BeTrue
        $resumed.Dumped | Should -Be $Count
    }

    It 'Import-MemcacheData: a terminating error with the target, and a rerun stores the rest' {
        Suspend-TestMemcached $Frozen -AfterSeconds 1
        $failure = $null
        try { $null = Import-MemcacheData -Path $Dump -Server $Frozen.Server -MaxOpsPerSecond 300 -Timeout 2 -Confirm:$false -ErrorAction Stop }
        catch { $failure = $_ }
        $failure | Should -Not -BeNullOrEmpty
        $failure.TargetObject | Should -Be $Frozen.Server
        $failure.Exception.Message | Should -Match ([regex]::Escape($Frozen.Server))

        Resume-TestMemcached $Frozen
        $rerun = Import-MemcacheData -Path $Dump -Server $Frozen.Server -Confirm:$false -ErrorAction Stop
        ($rerun.Stored + $rerun.AlreadyPresent) | Should -Be $Count
        (Get-MemcacheStats -Server $Frozen.Server).CurrentItems | Should -Be $Count
    }

    It 'Move-MemcacheNode: a non-terminating MoveDestinationFailed naming the destination and a Failed result' {
        Set-TestItemRange -Server $Other.Server -Prefix 'fault:' -Count $Count
        Suspend-TestMemcached $Frozen -AfterSeconds 1
        $result = Move-MemcacheNode -Source $Other.Server -Destination $Frozen.Server -MaxOpsPerSecond 300 -Timeout 2 -Confirm:$false -ErrorVariable failures -ErrorAction SilentlyContinue
        $result.Status | Should -Be 'Failed'
        $failure = @($failures | Where-Object { $_.FullyQualifiedErrorId -like 'MoveDestinationFailed*' })[0]
        $failure | Should -Not -BeNullOrEmpty
        $failure.TargetObject | Should -Be $Frozen.Server
        $failure.Exception.Message | Should -Match 'run the move again'
    }

    It 'Compare-MemcacheData: a terminating error, never a result that looks equal' {
        Set-TestItemRange -Server $Frozen.Server -Prefix 'fault:' -Count $Count
        Set-TestItemRange -Server $Other.Server -Prefix 'fault:' -Count $Count
        Suspend-TestMemcached $Frozen -AfterSeconds 1
        $failure = $null
        $output = $null
        try { $output = Compare-MemcacheData -Reference $Frozen.Server -Difference $Other.Server -MaxOpsPerSecond 300 -Timeout 2 -ErrorAction Stop }
        catch { $failure = $_ }
        $output | Should -BeNullOrEmpty
        $failure | Should -Not -BeNullOrEmpty
        $failure.TargetObject | Should -Be $Frozen.Server
        $failure.Exception.Message | Should -Match 'run it again'
    }
}
