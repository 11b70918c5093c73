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
    <#
    Starts memcached on free 127.0.0.1 ports and waits (at most 10 s) until it accepts connections; the one
    way the suites start a server. -MemoryMegabytes is its -m (default 64); -ArgumentList adds anything else
    (e.g. '-X', or '-I', '64k'); -Certificate (from New-TestCertificateAuthority) serves TLS on TlsPort (-Z)
    beside the plain Port; -AuthFile requires text-protocol authentication (-Y); -Port asks for that port
    (Restart-TestMemcached). Arguments memcached refuses fail at once with its own message; a port taken
    meanwhile is retried (another free port, or the same one a moment later). Stop it with Stop-TestMemcached.
    #>
    param([int] $MemoryMegabytes = 64, [string[]] $ArgumentList = @(), $Certificate, [string] $AuthFile, [int] $Port = 0)
    $binary = Get-Command -Name memcached -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
    if (-not $binary) {
        throw 'memcached is not installed (the suites need it): apt-get install memcached (bash .ci/setup does it), or put memcached on PATH.'
    }
    $deadline = [DateTime]::UtcNow.AddSeconds(10)
    $problem = 'it did not start'
    while ([DateTime]::UtcNow -lt $deadline) {
        $plainPort = if ($Port) { $Port } else { Get-FreeTcpPort }
        $tlsPort = if ($Certificate) { Get-FreeTcpPort } else { $null }
        $arguments = @('-l', '127.0.0.1', '-p', "$(if ($tlsPort) { $tlsPort } else { $plainPort })", '-U', '0', '-m', "$MemoryMegabytes")
        if (($IsLinux -or $IsMacOS) -and (& id -u) -eq '0') { $arguments += @('-u', 'nobody') }
        if ($Certificate) {
            $arguments += @('-Z', '-o', "ssl_chain_cert=$($Certificate.CertificateFile),ssl_key=$($Certificate.KeyFile)", '-l', "notls:127.0.0.1:$plainPort")
        }
        if ($AuthFile) { $arguments += @('-Y', $AuthFile) }
        $arguments += $ArgumentList
        $errorFile = [System.IO.Path]::GetTempFileName()
        try {
            $process = Start-Process -FilePath $binary.Source -ArgumentList $arguments -PassThru -RedirectStandardError $errorFile
            $ready = [DateTime]::UtcNow.AddSeconds(3)
            while ([DateTime]::UtcNow -lt $ready -and -not $process.HasExited) {
                $client = [System.Net.Sockets.TcpClient]::new()
                try {
                    $client.Connect('127.0.0.1', $plainPort)
                    return [pscustomobject]@{
                        Process   = $process
                        Port      = $plainPort
                        Server    = "127.0.0.1:$plainPort"
                        TlsPort   = $tlsPort
                        TlsServer = if ($tlsPort) { "tls://127.0.0.1:$tlsPort" } else { $null }
                    }
                }
                catch { Start-Sleep -Milliseconds 100 }
                finally { $client.Dispose() }
            }
            if (-not $process.HasExited) {
                Stop-Process -Id $process.Id -ErrorAction SilentlyContinue
                $problem = 'it did not accept connections within 3 s'
                continue
            }
            $message = (Get-Content -Raw -LiteralPath $errorFile) -replace '\s+$', ''
            if ($message -notmatch 'in use') {
                throw "memcached $($arguments -join ' ') exited with code $($process.ExitCode): $message"
            }
            $problem = $message
            Start-Sleep -Milliseconds 200
        }
        finally {
            Remove-Item -LiteralPath $errorFile -ErrorAction SilentlyContinue
        }
    }
    throw "memcached $($arguments -join ' ') did not start listening within 10 s: $problem."
}

function Stop-TestMemcached {
    param($Instance)
    if ($Instance -and $Instance.Process -and -not $Instance.Process.HasExited) {
        Stop-Process -Id $Instance.Process.Id -ErrorAction SilentlyContinue
        $null = $Instance.Process.WaitForExit(5000)
    }
}

function Restart-TestMemcached {
    <# Stops a test memcached and starts an empty one on the same port (a node that restarted), returned as a new instance. #>
    param([Parameter(Mandatory)] $Instance, [int] $MemoryMegabytes = 64)
    Stop-TestMemcached $Instance
    return Start-TestMemcached -Port $Instance.Port -MemoryMegabytes $MemoryMegabytes
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

# ---------------------------------------------------------------------------------------------------------
# Added for the Pester kit (pipelines, stopping, runbooks, load order, cloud). The functions above keep their
# names and behaviour; other suites rely on them.

# The folder that holds the built module folder (artifacts/module), for `Import-Module MemcacheOps` by name
# in child sessions, as the runbooks in examples/ do.
$ModuleSearchPath = Split-Path -Path (Split-Path -Path $LayoutManifestPath -Parent) -Parent
# The pwsh running this session, for child sessions. As a .NET global tool, this process is `dotnet pwsh.dll`,
# so the apphost in $PSHOME is used rather than the process's own path.
$PwshPath = Join-Path $PSHOME ($IsWindows ? 'pwsh.exe' : 'pwsh')
if (-not (Test-Path $PwshPath)) { $PwshPath = (Get-Process -Id $PID).Path }

function Add-TestItems {
    <#
        Stores -Count items named "<Prefix><n>" (n from 1) with values of -ValueSize bytes, in one pipelined burst
        of 'set ... noreply' closed by 'version', so thousands of items take milliseconds. Fails unless the
        server then holds every key (checked with 'mg' on a sample), so a silently refused set is never missed.
    #>
    param(
        [Parameter(Mandatory)] [string] $Server,
        [Parameter(Mandatory)] [int] $Count,
        [string] $Prefix = 'item:',
        [int] $ValueSize = 100,
        [int] $Flags = 0,
        [int] $TimeToLive = 0
    )
    $hostName, $port = $Server -split ':'
    $client = [System.Net.Sockets.TcpClient]::new($hostName, [int]$port)
    try {
        $stream = $client.GetStream()
        $stream.ReadTimeout = 30000
        $buffer = [System.IO.MemoryStream]::new()
        $ascii = [System.Text.Encoding]::ASCII
        for ($n = 1; $n -le $Count; $n++) {
            $fill = [string][char](97 + ($n % 26))
            $value = $ascii.GetBytes(("$n-" + ($fill * $ValueSize)).Substring(0, $ValueSize))
            $header = $ascii.GetBytes("set $Prefix$n $Flags $TimeToLive $ValueSize noreply`r`n")
            $buffer.Write($header, 0, $header.Length)
            $buffer.Write($value, 0, $value.Length)
            $buffer.Write([byte[]](13, 10), 0, 2)
            if ($buffer.Length -ge 1MB -or $n -eq $Count) {
                $stream.Write($buffer.GetBuffer(), 0, [int]$buffer.Length)
                $buffer.SetLength(0)
            }
        }
        $end = $ascii.GetBytes("version`r`n")
        $stream.Write($end, 0, $end.Length)
        $reader = [System.IO.StreamReader]::new($stream, $ascii)
        $reply = $reader.ReadLine()
        if ($reply -notlike 'VERSION *') { throw "Loading $Count items into $Server ended with '$reply'." }
    }
    finally {
        $client.Dispose()
    }
    $sample = @(1, [math]::Max(1, [int]($Count / 2)), $Count) | Sort-Object -Unique | ForEach-Object { "$Prefix$_" }
    $found = Get-TestItem -Server $Server -Key $sample
    foreach ($key in $sample) {
        if (-not $found.ContainsKey($key)) { throw "$Server did not keep $key after the bulk load (too little memory?)." }
    }
}

function Get-TestItemCount {
    <# The server's curr_items, read with the text protocol (independent of the module). #>
    param([Parameter(Mandatory)] [string] $Server)
    $hostName, $port = $Server -split ':'
    $client = [System.Net.Sockets.TcpClient]::new($hostName, [int]$port)
    try {
        $stream = $client.GetStream()
        $stream.ReadTimeout = 5000
        $request = [System.Text.Encoding]::ASCII.GetBytes("stats`r`n")
        $stream.Write($request, 0, $request.Length)
        $reader = [System.IO.StreamReader]::new($stream, [System.Text.Encoding]::ASCII)
        for ($i = 0; $i -lt 500; $i++) {
            $line = $reader.ReadLine()
            if ($line -eq 'END' -or $null -eq $line) { break }
            if ($line -match '^STAT curr_items (\d+)$') { $items = [long]$Matches[1] }
        }
        return $items
    }
    finally {
        $client.Dispose()
    }
}

function Clear-TestMemcached {
    <# Empties a server (flush_all) so a suite can reuse it. Its curr_items stays up until memcached reclaims the
       flushed items: check what it holds by key (Get-TestItem), not with Get-TestItemCount. #>
    param([Parameter(Mandatory)] [string] $Server)
    $hostName, $port = $Server -split ':'
    $client = [System.Net.Sockets.TcpClient]::new($hostName, [int]$port)
    try {
        $stream = $client.GetStream()
        $stream.ReadTimeout = 5000
        $request = [System.Text.Encoding]::ASCII.GetBytes("flush_all`r`n")
        $stream.Write($request, 0, $request.Length)
        $reply = [System.IO.StreamReader]::new($stream, [System.Text.Encoding]::ASCII).ReadLine()
        if ($reply -ne 'OK') { throw "flush_all on $Server answered '$reply'." }
    }
    finally {
        $client.Dispose()
    }
}

function New-TestFolder {
    <# A fresh folder under the temp folder; remove it with Remove-Item -Recurse in AfterAll. #>
    param([string] $Name = 'memcacheops-pester')
    $path = Join-Path ([System.IO.Path]::GetTempPath()) ("$Name-" + [guid]::NewGuid().ToString('N'))
    $null = New-Item -ItemType Directory -Path $path
    return $path
}

function Invoke-TestPwsh {
    <#
        Runs a script in a fresh `pwsh -NoProfile -NonInteractive -File` (the built module findable by name, as if
        installed) and returns its exit code and output. A run that outlasts -TimeoutSeconds is killed and fails.
        -Environment adds variables to the child's environment only. -Interactive runs an interactive pwsh that
        reads -Script from standard input line by line, so the lines after a command that prompts answer it.
    #>
    param(
        [Parameter(Mandatory)] [string] $Script,
        [hashtable] $Environment = @{},
        [int] $TimeoutSeconds = 120,
        [string] $WorkingDirectory = $RepositoryRoot,
        [switch] $Interactive
    )
    $start = [System.Diagnostics.ProcessStartInfo]::new($PwshPath)
    $start.ArgumentList.Add('-NoProfile')
    $file = $null
    if ($Interactive) {
        # Read from standard input line by line, as typed: lines after a prompting command answer its prompt.
        $start.ArgumentList.Add('-Command')
        $start.ArgumentList.Add('-')
    }
    else {
        # A script file, so multi-line statements and script-terminating errors behave as in any script.
        $file = Join-Path ([System.IO.Path]::GetTempPath()) ('memcacheops-child-' + [guid]::NewGuid().ToString('N') + '.ps1')
        Set-Content -Path $file -Value $Script -Encoding utf8NoBOM
        $start.ArgumentList.Add('-NonInteractive')
        $start.ArgumentList.Add('-File')
        $start.ArgumentList.Add($file)
        $Script = ''
    }
    $start.RedirectStandardInput = $true
    $start.RedirectStandardOutput = $true
    $start.RedirectStandardError = $true
    $start.UseShellExecute = $false
    $start.WorkingDirectory = $WorkingDirectory
    $start.Environment['PSModulePath'] = $ModuleSearchPath + [System.IO.Path]::PathSeparator + $env:PSModulePath
    $start.Environment['NO_COLOR'] = '1'
    foreach ($name in $Environment.Keys) { $start.Environment[$name] = [string]$Environment[$name] }
    $process = [System.Diagnostics.Process]::Start($start)
    try {
        $stdout = $process.StandardOutput.ReadToEndAsync()
        $stderr = $process.StandardError.ReadToEndAsync()
        $process.StandardInput.Write($Script)
        $process.StandardInput.Close()
        if (-not $process.WaitForExit($TimeoutSeconds * 1000)) {
            $process.Kill($true)
            $null = $process.WaitForExit(5000)
            throw "pwsh did not finish within $TimeoutSeconds s. Output so far:`n$($stdout.Result)`n$($stderr.Result)"
        }
        $process.WaitForExit()
        [pscustomobject]@{
            ExitCode = $process.ExitCode
            Output   = $stdout.Result
            Errors   = $stderr.Result
            Text     = $stdout.Result + $stderr.Result
        }
    }
    finally {
        $process.Dispose()
        if ($file) { Remove-Item -Path $file -ErrorAction SilentlyContinue }
    }
}

function Wait-TestCondition {
    <# Polls -Condition every 50 ms until it returns true; throws -Because after -TimeoutSeconds. #>
    param([Parameter(Mandatory)] [scriptblock] $Condition, [double] $TimeoutSeconds = 10, [string] $Because = 'the condition')
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
    while ([DateTime]::UtcNow -lt $deadline) {
        if (& $Condition) { return }
        Start-Sleep -Milliseconds 50
    }
    throw "Timed out after $TimeoutSeconds s waiting for $Because."
}

function Start-TestCloudEmulators {
    <#
        Starts the S3 emulator (s3rver) and the SQS emulator (fauxqs) from tests/emulators on free 127.0.0.1
        ports, as tests/MemcacheOps.Tests/Cloud/CloudEmulators.cs does for xunit, with two buckets made.
        Returns endpoints and credentials; stop them with Stop-TestCloudEmulators (by pid). Needs Node.js and
        `npm ci --prefix tests/emulators` (bash .ci/setup does both).
    #>
    $folder = Join-Path $RepositoryRoot 'tests' 'emulators'
    foreach ($tool in 's3rver', 'fauxqs') {
        if (-not (Test-Path (Join-Path $folder 'node_modules' $tool))) {
            throw "The $tool emulator is not installed under $folder/node_modules. Install the test emulators with: npm ci --prefix tests/emulators"
        }
    }
    $node = Get-Command -Name node -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
    if (-not $node) { throw 'Node.js is not installed (the S3/SQS emulators need it): bash .ci/setup installs it.' }
    $work = New-TestFolder -Name 'memcacheops-emulators'
    $buckets = 'memcacheops-pester', 'memcacheops-pester-other'
    $s3Arguments = @('--openssl-legacy-provider', (Join-Path $folder 'node_modules' 's3rver' 'bin' 's3rver.js'), '--directory', (Join-Path $work 's3'),
        '--address', '127.0.0.1', '--port', '0', '--silent') + ($buckets | ForEach-Object { '--configure-bucket', $_ })
    $null = New-Item -ItemType Directory -Path (Join-Path $work 's3')
    $s3 = Start-TestNodeProcess -Node $node.Source -Arguments $s3Arguments -Output (Join-Path $work 's3rver.log') -Ready 'listening on (\S+):(\d+)'
    try {
        $sqs = Start-TestNodeProcess -Node $node.Source -Arguments @((Join-Path $folder 'fauxqs-loopback.mjs')) -Output (Join-Path $work 'fauxqs.log') `
            -Ready 'fauxqs listening on http://127\.0\.0\.1:(\d+)' -Environment @{ FAUXQS_PORT = '0'; FAUXQS_HOST = 'localhost'; FAUXQS_LOGGER = 'false' }
    }
    catch {
        Stop-Process -Id $s3.Process.Id -ErrorAction SilentlyContinue
        throw
    }
    [pscustomobject]@{
        S3Endpoint  = "http://127.0.0.1:$($s3.Match.Groups[2].Value)"
        SqsEndpoint = "http://127.0.0.1:$($sqs.Match.Groups[1].Value)"
        Bucket      = $buckets[0]
        OtherBucket = $buckets[1]
        # s3rver's built-in account (it checks signatures made with it); fauxqs accepts any credentials.
        AccessKey   = 'S3RVER'
        SecretKey   = 'S3RVER'
        Region      = 'us-east-1'
        Processes   = @($s3.Process, $sqs.Process)
        Folder      = $work
    }
}

function Start-TestNodeProcess {
    <# Starts node with its output in a file and waits (at most 60 s) for the line matching -Ready. #>
    param([string] $Node, [string[]] $Arguments, [string] $Output, [string] $Ready, [hashtable] $Environment = @{})
    $start = [System.Diagnostics.ProcessStartInfo]::new($Node)
    foreach ($argument in $Arguments) { $start.ArgumentList.Add($argument) }
    foreach ($name in $Environment.Keys) { $start.Environment[$name] = $Environment[$name] }
    $start.UseShellExecute = $false
    $start.RedirectStandardOutput = $true
    $start.RedirectStandardError = $true
    $process = [System.Diagnostics.Process]::Start($start)
    # Keep draining both streams into files so the emulator never blocks on a full pipe.
    # Unbuffered (buffer size 1) and shared, so the readiness line can be read while the emulator runs.
    $null = $process.StandardOutput.BaseStream.CopyToAsync([System.IO.FileStream]::new($Output, 'Create', 'Write', 'ReadWrite', 1))
    $null = $process.StandardError.BaseStream.CopyToAsync([System.IO.FileStream]::new("$Output.err", 'Create', 'Write', 'ReadWrite', 1))
    $deadline = [DateTime]::UtcNow.AddSeconds(60)
    while ([DateTime]::UtcNow -lt $deadline) {
        $text = Get-Content -Raw -Path $Output -ErrorAction SilentlyContinue
        if ($text -and $text -match $Ready) {
            return [pscustomobject]@{ Process = $process; Match = [regex]::Match($text, $Ready) }
        }
        if ($process.HasExited) { break }
        Start-Sleep -Milliseconds 100
    }
    if (-not $process.HasExited) { $process.Kill($true) }
    $said = (Get-Content -Raw -Path $Output, "$Output.err" -ErrorAction SilentlyContinue) -join "`n"
    throw "$([System.IO.Path]::GetFileName($Arguments[-1])) did not start within 60 s. Its output:`n$said"
}

function Stop-TestCloudEmulators {
    param($Emulators)
    if (-not $Emulators) { return }
    foreach ($process in $Emulators.Processes) {
        if ($process -and -not $process.HasExited) {
            $process.Kill($true)
            $null = $process.WaitForExit(5000)
        }
    }
    if ($Emulators.Folder -and (Test-Path $Emulators.Folder)) { Remove-Item -Path $Emulators.Folder -Recurse -Force -ErrorAction SilentlyContinue }
}

function New-TestSqsQueue {
    <# Creates a queue on the SQS emulator (fauxqs takes unsigned requests) and returns its name. #>
    param([Parameter(Mandatory)] $Emulators, [string] $Name = ('memcacheops-' + [guid]::NewGuid().ToString('N').Substring(0, 12)))
    $null = Invoke-RestMethod -Method Post -Uri "$($Emulators.SqsEndpoint)/" -ContentType 'application/x-amz-json-1.0' `
        -Headers @{ 'X-Amz-Target' = 'AmazonSQS.CreateQueue' } -Body (@{ QueueName = $Name } | ConvertTo-Json)
    return $Name
}

function Get-TestSqsMessageCount {
    <# Visible plus in-flight messages of an emulator queue. #>
    param([Parameter(Mandatory)] $Emulators, [Parameter(Mandatory)] [string] $Name)
    $url = (Invoke-RestMethod -Method Post -Uri "$($Emulators.SqsEndpoint)/" -ContentType 'application/x-amz-json-1.0' `
            -Headers @{ 'X-Amz-Target' = 'AmazonSQS.GetQueueUrl' } -Body (@{ QueueName = $Name } | ConvertTo-Json)).QueueUrl
    $attributes = (Invoke-RestMethod -Method Post -Uri "$($Emulators.SqsEndpoint)/" -ContentType 'application/x-amz-json-1.0' `
            -Headers @{ 'X-Amz-Target' = 'AmazonSQS.GetQueueAttributes' } -Body (@{ QueueUrl = $url; AttributeNames = @('All') } | ConvertTo-Json)).Attributes
    return [int]$attributes.ApproximateNumberOfMessages + [int]$attributes.ApproximateNumberOfMessagesNotVisible
}

function Get-TestPwshPath {
    <#
        The pwsh executable of this session, for running a script in a fresh process. (Get-Process -Id $PID).Path
        is dotnet when pwsh was installed as a .NET global tool; $PSHOME holds pwsh itself in every install.
    #>
    foreach ($name in 'pwsh', 'pwsh.exe') {
        $candidate = Join-Path $PSHOME $name
        if (Test-Path -LiteralPath $candidate -PathType Leaf) { return $candidate }
    }
    (Get-Command -Name pwsh -CommandType Application -ErrorAction Stop | Select-Object -First 1).Source
}

function Start-TestDiscoveryEndpoint {
    <#
        Starts a loopback cluster configuration (discovery) endpoint on a free 127.0.0.1 port that answers
        'config get cluster' in the documented format (memcached-protocol.md, "Cluster discovery") with the
        given node entries (host|ip|port each) and ERROR to anything else, recording every command it
        receives. Stop it with Stop-TestDiscoveryEndpoint.
    #>
    param([Parameter(Mandatory)] [string[]] $Node, [long] $Version = 1)
    if (-not ('MemcacheOpsTests.DiscoveryEndpoint' -as [type])) {
        Add-Type -TypeDefinition @'
using System;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace MemcacheOpsTests
{
    public sealed class DiscoveryEndpoint : IDisposable
    {
        private readonly TcpListener _listener;
        private readonly CancellationTokenSource _stop = new CancellationTokenSource();
        private readonly byte[] _reply;

        public DiscoveryEndpoint(int port, string body)
        {
            _reply = Encoding.ASCII.GetBytes("CONFIG cluster 0 " + Encoding.ASCII.GetByteCount(body) + "\r\n" + body + "\r\nEND\r\n");
            _listener = new TcpListener(IPAddress.Loopback, port);
            _listener.Start();
            Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
            Task.Run(AcceptAsync);
        }

        public int Port { get; }

        public ConcurrentQueue<string> Received { get; } = new ConcurrentQueue<string>();

        private async Task AcceptAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                Socket client;
                try { client = await _listener.AcceptSocketAsync(_stop.Token); }
                catch (Exception) { return; }
                _ = Task.Run(() => ServeAsync(client));
            }
        }

        private async Task ServeAsync(Socket client)
        {
            using (client)
            {
                var buffer = new byte[4096];
                var line = new StringBuilder();
                try
                {
                    while (!_stop.IsCancellationRequested)
                    {
                        var n = await client.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
                        if (n == 0) return;
                        for (var i = 0; i < n; i++)
                        {
                            if (buffer[i] != (byte)'\n') { line.Append((char)buffer[i]); continue; }
                            var command = line.ToString().TrimEnd('\r');
                            line.Clear();
                            Received.Enqueue(command);
                            var answer = command == "config get cluster" ? _reply : Encoding.ASCII.GetBytes("ERROR\r\n");
                            await client.SendAsync(answer, SocketFlags.None, _stop.Token);
                        }
                    }
                }
                catch (Exception)
                {
                    // The client went away.
                }
            }
        }

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Stop();
        }
    }
}
'@
    }
    $body = "$Version`n$($Node -join ' ')`n"
    $endpoint = [MemcacheOpsTests.DiscoveryEndpoint]::new((Get-FreeTcpPort), $body)
    return [pscustomobject]@{ Endpoint = $endpoint; Port = $endpoint.Port; Server = "127.0.0.1:$($endpoint.Port)" }
}

function Stop-TestDiscoveryEndpoint {
    param($Instance)
    if ($Instance -and $Instance.Endpoint) { $Instance.Endpoint.Dispose() }
}

function New-TestCertificateAuthority {
    <#
    Makes a private CA and a server certificate for localhost and 127.0.0.1 (in-process, .NET
    CertificateRequest) as PEM files in a new folder readable by every user: memcached started as root
    drops to 'nobody' before it reads them. Returns the folder, the CA file and the server's files.
    #>
    $folder = Join-Path ([System.IO.Path]::GetTempPath()) "memcacheops-pester-tls-$([guid]::NewGuid().ToString('N'))"
    $null = New-Item -ItemType Directory -Path $folder
    $readable = [System.IO.UnixFileMode]'UserRead, UserWrite, GroupRead, OtherRead'
    if (-not $IsWindows) { [System.IO.File]::SetUnixFileMode($folder, [System.IO.UnixFileMode]'UserRead, UserWrite, UserExecute, GroupRead, GroupExecute, OtherRead, OtherExecute') }
    $now = [DateTimeOffset]::UtcNow
    $sha256 = [System.Security.Cryptography.HashAlgorithmName]::SHA256
    $pkcs1 = [System.Security.Cryptography.RSASignaturePadding]::Pkcs1
    $caKey = [System.Security.Cryptography.RSA]::Create(2048)
    $caRequest = [System.Security.Cryptography.X509Certificates.CertificateRequest]::new('CN=MemcacheOps Pester CA', $caKey, $sha256, $pkcs1)
    $caRequest.CertificateExtensions.Add([System.Security.Cryptography.X509Certificates.X509BasicConstraintsExtension]::new($true, $false, 0, $true))
    $caRequest.CertificateExtensions.Add([System.Security.Cryptography.X509Certificates.X509KeyUsageExtension]::new('KeyCertSign, CrlSign', $true))
    $ca = $caRequest.CreateSelfSigned($now.AddDays(-30), $now.AddDays(60))
    $serverKey = [System.Security.Cryptography.RSA]::Create(2048)
    $request = [System.Security.Cryptography.X509Certificates.CertificateRequest]::new('CN=localhost', $serverKey, $sha256, $pkcs1)
    $names = [System.Security.Cryptography.X509Certificates.SubjectAlternativeNameBuilder]::new()
    $names.AddDnsName('localhost')
    $names.AddIpAddress([System.Net.IPAddress]::Loopback)
    $request.CertificateExtensions.Add($names.Build())
    $serial = [byte[]](1..12 | ForEach-Object { Get-Random -Minimum 1 -Maximum 127 })
    $server = $request.Create($ca, $now.AddDays(-1), $now.AddDays(30), $serial)
    $files = [ordered]@{
        CaFile          = @((Join-Path $folder 'ca.pem'), $ca.ExportCertificatePem())
        CertificateFile = @((Join-Path $folder 'server.pem'), $server.ExportCertificatePem())
        KeyFile         = @((Join-Path $folder 'server.key'), $serverKey.ExportPkcs8PrivateKeyPem())
    }
    $result = [ordered]@{ Folder = $folder }
    foreach ($name in $files.Keys) {
        $path, $pem = $files[$name]
        Set-Content -LiteralPath $path -Value $pem -NoNewline
        if (-not $IsWindows) { [System.IO.File]::SetUnixFileMode($path, $readable) }
        $result[$name] = $path
    }
    return [pscustomobject]$result
}

function New-TestAuthFile {
    <# Writes a memcached -Y file with one user:password line, readable by memcached's unprivileged user; returns its path. #>
    param([string] $Folder, [string] $UserName, [string] $Password)
    $path = Join-Path $Folder 'memcached-users'
    Set-Content -LiteralPath $path -Value "$($UserName):$Password"
    if (-not $IsWindows) { [System.IO.File]::SetUnixFileMode($path, [System.IO.UnixFileMode]'UserRead, UserWrite, GroupRead, OtherRead') }
    return $path
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
