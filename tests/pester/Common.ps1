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

function Start-TestMemcachedWith {
    <#
        Starts memcached like Start-TestMemcached, with more arguments, e.g.
        Start-TestMemcachedWith -ArgumentList '-I', '64k', '-o', 'slab_chunk_max=32768'
        Fails with memcached's own message when it refuses the arguments.
    #>
    param([string[]] $ArgumentList = @(), [int] $MemoryMb = 64)
    $binary = Get-Command -Name memcached -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
    if (-not $binary) {
        throw 'memcached is not installed: apt-get install memcached, brew install memcached, or put memcached on PATH.'
    }
    $port = Get-FreeTcpPort
    $arguments = @('-l', '127.0.0.1', '-p', "$port", '-U', '0', '-m', "$MemoryMb") + $ArgumentList
    if ($IsLinux -or $IsMacOS) {
        if ((& id -u) -eq '0') { $arguments += @('-u', 'nobody') }
    }
    $errorFile = [System.IO.Path]::GetTempFileName()
    $process = Start-Process -FilePath $binary.Source -ArgumentList $arguments -PassThru -RedirectStandardError $errorFile
    $deadline = [DateTime]::UtcNow.AddSeconds(10)
    try {
        while ([DateTime]::UtcNow -lt $deadline) {
            if ($process.HasExited) {
                throw "memcached $($arguments -join ' ') exited with code $($process.ExitCode): $(Get-Content -Raw $errorFile)"
            }
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
    }
    finally {
        Remove-Item -LiteralPath $errorFile -ErrorAction SilentlyContinue
    }
    Stop-Process -Id $process.Id -ErrorAction SilentlyContinue
    throw "memcached did not start listening on 127.0.0.1:$port within 10 s."
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

function Start-TestMemcachedWithOptions {
    <#
    Starts memcached like Start-TestMemcached, with more options: -Certificate (an object from
    New-TestCertificateAuthority) serves TLS on TlsPort (-Z) beside the plain Port; -AuthFile requires
    text-protocol authentication (-Y); -ArgumentList adds anything else (e.g. '-X'). Waits (at most 10 s)
    until the plain port accepts connections. Stop it with Stop-TestMemcached.
    #>
    param($Certificate, [string] $AuthFile, [string[]] $ArgumentList = @())
    $binary = Get-Command -Name memcached -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
    if (-not $binary) {
        throw 'memcached is not installed (the suite needs it): apt-get install memcached, or put memcached on PATH.'
    }
    $port = Get-FreeTcpPort
    $tlsPort = if ($Certificate) { Get-FreeTcpPort } else { $null }
    $arguments = @('-l', '127.0.0.1', '-p', "$(if ($tlsPort) { $tlsPort } else { $port })", '-U', '0', '-m', '64')
    if ($IsLinux -or $IsMacOS) {
        if ((& id -u) -eq '0') { $arguments += @('-u', 'nobody') }
    }
    if ($Certificate) {
        $arguments += @('-Z', '-o', "ssl_chain_cert=$($Certificate.CertificateFile),ssl_key=$($Certificate.KeyFile)", '-l', "notls:127.0.0.1:$port")
    }
    if ($AuthFile) { $arguments += @('-Y', $AuthFile) }
    $arguments += $ArgumentList
    $process = Start-Process -FilePath $binary.Source -ArgumentList $arguments -PassThru
    $deadline = [DateTime]::UtcNow.AddSeconds(10)
    while ([DateTime]::UtcNow -lt $deadline) {
        $client = [System.Net.Sockets.TcpClient]::new()
        try {
            $client.Connect('127.0.0.1', $port)
            return [pscustomobject]@{
                Process   = $process
                Port      = $port
                Server    = "127.0.0.1:$port"
                TlsPort   = $tlsPort
                TlsServer = if ($tlsPort) { "tls://127.0.0.1:$tlsPort" } else { $null }
            }
        }
        catch {
            Start-Sleep -Milliseconds 100
        }
        finally {
            $client.Dispose()
        }
    }
    Stop-Process -Id $process.Id -ErrorAction SilentlyContinue
    throw "memcached ($($arguments -join ' ')) did not start listening on 127.0.0.1:$port within 10 s."
}

function New-TestAuthFile {
    <# Writes a memcached -Y file with one user:password line, readable by memcached's unprivileged user; returns its path. #>
    param([string] $Folder, [string] $UserName, [string] $Password)
    $path = Join-Path $Folder 'memcached-users'
    Set-Content -LiteralPath $path -Value "$($UserName):$Password"
    if (-not $IsWindows) { [System.IO.File]::SetUnixFileMode($path, [System.IO.UnixFileMode]'UserRead, UserWrite, GroupRead, OtherRead') }
    return $path
}
