<#
.SYNOPSIS
    The main job on a throwaway setup: copy one memcached to another through a dump, and prove the copy.
.DESCRIPTION
    Starts two local memcached processes on free 127.0.0.1 ports, stores sample items in the first (text keys,
    a binary-looking value, flags, TTLs), exports it to a dump folder, imports the dump into the second, and
    proves the copy with Compare-MemcacheData, which emits only differences: no output means equal. Both
    servers are stopped (by their process id) and the dump folder removed at the end, whatever happens.
    Needs memcached on PATH (apt-get install memcached) and the module (Import-Module MemcacheOps, or the
    repository's ./MemcacheOps.psd1 after a build).
.EXAMPLE
    ./examples/Quickstart.ps1
.EXAMPLE
    ./examples/Quickstart.ps1 -Items 5000 -KeepDump
#>
[CmdletBinding()]
param(
    # How many sample items to store.
    [ValidateRange(1, 1000000)] [int] $Items = 1000,
    # Leave the dump folder in place and print where it is.
    [switch] $KeepDump
)
$ErrorActionPreference = 'Stop'
if (-not (Get-Module -Name MemcacheOps)) { Import-Module MemcacheOps }

function Start-LocalMemcached {
    $binary = (Get-Command -Name memcached -CommandType Application -ErrorAction Stop | Select-Object -First 1).Source
    $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $listener.Start(); $port = $listener.LocalEndpoint.Port; $listener.Stop()
    $arguments = @('-l', '127.0.0.1', '-p', $port, '-U', '0', '-m', '64')
    if (($IsLinux -or $IsMacOS) -and (& id -u) -eq '0') { $arguments += '-u', 'nobody' }
    $process = Start-Process -FilePath $binary -ArgumentList $arguments -PassThru
    foreach ($attempt in 1..100) {
        try { [System.Net.Sockets.TcpClient]::new('127.0.0.1', $port).Dispose(); return [pscustomobject]@{ Server = "127.0.0.1:$port"; Process = $process } }
        catch { Start-Sleep -Milliseconds 100 }
    }
    Stop-Process -Id $process.Id
    throw "memcached did not start on 127.0.0.1:$port."
}

function Set-SampleItems([string] $Server, [int] $Count) {
    # The module reads and copies data; it has no 'set' of its own, so samples go in over the text protocol.
    $hostName, $port = $Server -split ':'
    $client = [System.Net.Sockets.TcpClient]::new($hostName, [int]$port)
    try {
        $stream = $client.GetStream()
        $reader = [System.IO.StreamReader]::new($stream, [System.Text.Encoding]::ASCII)
        for ($n = 1; $n -le $Count; $n++) {
            $key = if ($n % 10 -eq 0) { "session:$n" } else { "user:$n" }
            $value = [System.Text.Encoding]::UTF8.GetBytes("profile $n " + ('x' * ($n % 300)))
            $ttl = if ($n % 3 -eq 0) { 3600 } else { 0 }
            $header = [System.Text.Encoding]::ASCII.GetBytes("set $key $($n * 7) $ttl $($value.Length)`r`n")
            $stream.Write($header, 0, $header.Length); $stream.Write($value, 0, $value.Length); $stream.Write([byte[]](13, 10), 0, 2)
            if (($reply = $reader.ReadLine()) -ne 'STORED') { throw "set $key answered '$reply'." }
        }
    }
    finally { $client.Dispose() }
}

$source = $target = $null
$dump = Join-Path ([System.IO.Path]::GetTempPath()) ('memcacheops-quickstart-' + [guid]::NewGuid().ToString('N').Substring(0, 8))
try {
    $source = Start-LocalMemcached
    $target = Start-LocalMemcached
    "Started memcached on $($source.Server) (pid $($source.Process.Id)) and $($target.Server) (pid $($target.Process.Id))."
    Set-SampleItems -Server $source.Server -Count $Items
    Get-MemcacheStats -Server $source.Server, $target.Server | Format-Table | Out-String | Write-Host

    $exported = Export-MemcacheData -Server $source.Server -Path $dump
    $imported = $exported | Import-MemcacheData -Server $target.Server
    foreach ($result in $exported, $imported) { $result | Format-Table | Out-String | Write-Host }

    # Compare emits only differences: in a Pester test this is  ... | Should -BeNullOrEmpty
    $differences = @(Compare-MemcacheData -Reference $source.Server -Difference $target.Server)
    if ($differences.Count -gt 0) {
        $differences | Format-Table | Out-String | Write-Host
        throw "$($differences.Count) key(s) differ between $($source.Server) and $($target.Server)."
    }
    'No differences: {0} holds all {1:N0} items of {2}, with their values, flags and TTLs.' -f $target.Server, $imported.Stored, $source.Server
    if ($KeepDump) { "The dump is in $dump." }
}
finally {
    foreach ($server in $source, $target) {
        if ($server -and -not $server.Process.HasExited) { Stop-Process -Id $server.Process.Id; $null = $server.Process.WaitForExit(5000) }
    }
    if (-not $KeepDump -and (Test-Path $dump)) { Remove-Item -Path $dump -Recurse -Force }
    'Stopped both memcached processes.'
}
