# Shared by the MemcacheOps Pester suites: where the module is, and helpers to run memcached.
# Dot-source it from BeforeAll / BeforeDiscovery:  . (Join-Path $PSScriptRoot 'Common.ps1')

$RepositoryRoot = (Resolve-Path (Join-Path $PSScriptRoot '..' '..')).Path

# The suites test the root manifest by default (what `Import-Module ./MemcacheOps.psd1` loads after
# `dotnet build MemcacheOps.sln`); set MEMCACHEOPS_MANIFEST to test another copy, e.g. an installed one.
$ManifestPath = if ($env:MEMCACHEOPS_MANIFEST) { $env:MEMCACHEOPS_MANIFEST } else { Join-Path $RepositoryRoot 'MemcacheOps.psd1' }
$LayoutManifestPath = Join-Path $RepositoryRoot 'artifacts' 'module' 'MemcacheOps' 'MemcacheOps.psd1'

function Get-FreeTcpPort {
    $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    try {
        $listener.Start()
        return ([System.Net.IPEndPoint]$listener.LocalEndpoint).Port
    }
    finally {
        $listener.Stop()
    }
}

function Start-TestMemcached {
    <# Starts memcached on a free 127.0.0.1 port and waits (at most 10 s) until it accepts connections. #>
    $binary = Get-Command -Name memcached -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
    if (-not $binary) {
        throw 'memcached is not installed (the end-to-end suite needs it): apt-get install memcached, brew install memcached, or put memcached on PATH.'
    }
    $port = Get-FreeTcpPort
    $arguments = @('-l', '127.0.0.1', '-p', "$port", '-U', '0', '-m', '64')
    if ($IsLinux -or $IsMacOS) {
        if ((& id -u) -eq '0') { $arguments += @('-u', 'nobody') }
    }
    $process = Start-Process -FilePath $binary.Source -ArgumentList $arguments -PassThru
    $deadline = [DateTime]::UtcNow.AddSeconds(10)
    while ([DateTime]::UtcNow -lt $deadline) {
        $client = [System.Net.Sockets.TcpClient]::new()
        try {
            $client.Connect('127.0.0.1', $port)
            return [pscustomobject]@{ Process = $process; Port = $port; Server = "127.0.0.1:$port" }
        }
        catch {
            Start-Sleep -Milliseconds 100
        }
        finally {
            $client.Dispose()
        }
    }
    Stop-Process -Id $process.Id -ErrorAction SilentlyContinue
    throw "memcached did not start listening on 127.0.0.1:$port within 10 s."
}

function Stop-TestMemcached {
    param($Instance)
    if ($Instance -and $Instance.Process -and -not $Instance.Process.HasExited) {
        Stop-Process -Id $Instance.Process.Id -ErrorAction SilentlyContinue
        $null = $Instance.Process.WaitForExit(5000)
    }
}

function Set-TestItem {
    <# Stores items with the text protocol: -Items @{ key = 'value' }. Fails on any reply but STORED. #>
    param([string] $Server, [hashtable] $Items, [int] $Flags = 0, [int] $TimeToLive = 0)
    $hostName, $port = $Server -split ':'
    $client = [System.Net.Sockets.TcpClient]::new($hostName, [int]$port)
    try {
        $stream = $client.GetStream()
        $stream.ReadTimeout = 5000
        $reader = [System.IO.StreamReader]::new($stream, [System.Text.Encoding]::ASCII)
        foreach ($key in $Items.Keys) {
            $value = [System.Text.Encoding]::UTF8.GetBytes([string]$Items[$key])
            $header = [System.Text.Encoding]::ASCII.GetBytes("set $key $Flags $TimeToLive $($value.Length)`r`n")
            $stream.Write($header, 0, $header.Length)
            $stream.Write($value, 0, $value.Length)
            $stream.Write([byte[]](13, 10), 0, 2)
            $reply = $reader.ReadLine()
            if ($reply -ne 'STORED') { throw "set $key on $Server answered '$reply'." }
        }
    }
    finally {
        $client.Dispose()
    }
}

function Get-TestItem {
    <# Reads items with the text protocol: returns @{ key = @{ Value = '...'; Flags = n } } for the keys found. #>
    param([string] $Server, [string[]] $Key)
    $hostName, $port = $Server -split ':'
    $client = [System.Net.Sockets.TcpClient]::new($hostName, [int]$port)
    $found = @{}
    try {
        $stream = $client.GetStream()
        $stream.ReadTimeout = 5000
        $reader = [System.IO.StreamReader]::new($stream, [System.Text.Encoding]::UTF8)
        foreach ($name in $Key) {
            $request = [System.Text.Encoding]::ASCII.GetBytes("get $name`r`n")
            $stream.Write($request, 0, $request.Length)
            $line = $reader.ReadLine()
            if ($line -like 'VALUE *') {
                $null, $null, $flags, $null = $line -split ' '
                $found[$name] = @{ Value = $reader.ReadLine(); Flags = [int]$flags }
                $line = $reader.ReadLine()
            }
            if ($line -ne 'END') { throw "get $name on $Server answered '$line'." }
        }
    }
    finally {
        $client.Dispose()
    }
    return $found
}

function Suspend-TestMemcached {
    <# Freezes a memcached started by Start-TestMemcached (SIGSTOP): a hung host, as its clients see it. -AfterSeconds does it later, from another process, while the caller runs a command. #>
    param($Instance, [double] $AfterSeconds = 0)
    if ($AfterSeconds -gt 0) {
        $delay = $AfterSeconds.ToString([System.Globalization.CultureInfo]::InvariantCulture)
        $start = [System.Diagnostics.ProcessStartInfo]::new('sh')
        $start.ArgumentList.Add('-c')
        $start.ArgumentList.Add("sleep $delay; kill -STOP $($Instance.Process.Id)")
        $null = [System.Diagnostics.Process]::Start($start)
        return
    }
    & kill -STOP $Instance.Process.Id
}

function Resume-TestMemcached {
    <# Resumes a memcached frozen by Suspend-TestMemcached (SIGCONT). #>
    param($Instance)
    & kill -CONT $Instance.Process.Id
}

function Set-TestItemRange {
    <# Stores -Count items '<Prefix><n>' of -Size bytes each with meta commands in one pipelined stream, for tests that need an operation to run a while. #>
    param([string] $Server, [string] $Prefix, [int] $Count, [int] $Size = 1000)
    $hostName, $port = $Server -split ':'
    $client = [System.Net.Sockets.TcpClient]::new($hostName, [int]$port)
    try {
        $stream = $client.GetStream()
        $stream.ReadTimeout = 10000
        $value = [System.Text.Encoding]::ASCII.GetBytes('v' * $Size)
        $buffer = [System.IO.MemoryStream]::new()
        foreach ($n in 0..($Count - 1)) {
            $header = [System.Text.Encoding]::ASCII.GetBytes("ms $Prefix$n $Size F$n T0 q`r`n")
            $buffer.Write($header, 0, $header.Length)
            $buffer.Write($value, 0, $value.Length)
            $buffer.Write([byte[]](13, 10), 0, 2)
        }
        $end = [System.Text.Encoding]::ASCII.GetBytes("mn`r`n")
        $buffer.Write($end, 0, $end.Length)
        $stream.Write($buffer.GetBuffer(), 0, [int]$buffer.Length)
        $reader = [System.IO.StreamReader]::new($stream, [System.Text.Encoding]::ASCII)
        $reply = $reader.ReadLine()
        if ($reply -ne 'MN') { throw "storing $Count items on $Server answered '$reply'." }
    }
    finally {
        $client.Dispose()
    }
}
