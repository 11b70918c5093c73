#Requires -Version 7.6
# Pester 5. TLS, authentication and servers that hide their keys, against memcached servers this suite
# starts itself: TLS ones (memcached -Z, certificates from a CA the suite makes), one that requires a
# password (-Y) and one that refuses to list its keys (-X).

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-Module -Name $ManifestPath -Force -ErrorAction Stop

    $Tls = New-TestCertificateAuthority
    $Work = Join-Path ([System.IO.Path]::GetTempPath()) ("memcacheops-secured-" + [guid]::NewGuid().ToString('N'))
    $null = New-Item -ItemType Directory -Path $Work
    $Password = 'pester-' + [guid]::NewGuid().ToString('N')
    $Credential = [pscredential]::new('ops', (ConvertTo-SecureString -String $Password -AsPlainText -Force))
    $Wrong = [pscredential]::new('ops', (ConvertTo-SecureString -String ('bad-' + $Password) -AsPlainText -Force))

    $TlsSource = Start-TestMemcached -Certificate $Tls
    $TlsTarget = Start-TestMemcached -Certificate $Tls
    $Plain = Start-TestMemcached
    $Secret = Start-TestMemcached -AuthFile (New-TestAuthFile -Folder $Tls.Folder -UserName 'ops' -Password $Password)
    $Hidden = Start-TestMemcached -ArgumentList '-X'

    $Items = @{}
    foreach ($i in 1..300) { $Items["sec:user:$i"] = "value-$i-" + ('v' * ($i % 50)) }
    Set-TestItem -Server $TlsSource.Server -Items $Items -Flags 7
    Set-TestItem -Server $Hidden.Server -Items $Items -Flags 9
    $KeyFile = Join-Path $Work 'keys.txt'
    @($Items.Keys) + @('sec:absent:1', 'sec:absent:2') | Set-Content -LiteralPath $KeyFile
}

AfterAll {
    foreach ($server in $TlsSource, $TlsTarget, $Plain, $Secret, $Hidden) { Stop-TestMemcached $server }
    foreach ($folder in $Work, $Tls.Folder) {
        if ($folder -and (Test-Path $folder)) { Remove-Item -Path $folder -Recurse -Force }
    }
    Remove-Module -Name MemcacheOps -Force -ErrorAction SilentlyContinue
}

Describe 'TLS' {
    It 'reads stats from a tls:// server with the CA given' {
        $stats = Get-MemcacheStats -Server $TlsSource.TlsServer -TlsCaFile $Tls.CaFile
        $stats.Server | Should -Be $TlsSource.TlsServer
        $stats.CurrentItems | Should -Be $Items.Count
    }

    It 'makes every server TLS with -Tls' {
        $keys = @(Get-MemcacheKeys -Server "localhost:$($TlsSource.TlsPort)" -Tls -TlsCaFile $Tls.CaFile)
        $keys.Count | Should -Be $Items.Count
    }

    It 'names the certificate problem when the CA is not trusted' {
        { Get-MemcacheStats -Server $TlsSource.TlsServer -ConnectTimeout 3 -ErrorAction Stop } |
            Should -Throw -ErrorId 'MemcacheTlsCertificateInvalid*' -ExpectedMessage '*not a trusted certificate authority*-TlsCaFile*'
        $failure = $null
        $null = Get-MemcacheStats -Server $TlsSource.TlsServer -ErrorVariable failure -ErrorAction SilentlyContinue
        $failure[0].CategoryInfo.Category | Should -Be 'SecurityError'
    }

    It 'connects with -SkipCertificateCheck and warns about it' {
        $stats = Get-MemcacheStats -Server $TlsSource.TlsServer -SkipCertificateCheck -WarningVariable warnings -WarningAction SilentlyContinue
        $stats.CurrentItems | Should -Be $Items.Count
        $warnings | Should -Match 'SkipCertificateCheck'
    }

    It 'fails within the timeout when a plain client meets the TLS port' {
        $clock = [System.Diagnostics.Stopwatch]::StartNew()
        { Get-MemcacheStats -Server "127.0.0.1:$($TlsSource.TlsPort)" -Timeout 2 -ConnectTimeout 2 -ErrorAction Stop } |
            Should -Throw -ExpectedMessage '*tls://*'
        $clock.Elapsed.TotalSeconds | Should -BeLessThan 12
    }

    It 'round-trips a tls:// source into a -Tls target and compares equal with a plain copy' {
        $dump = Join-Path $Work 'tls-dump'
        $export = Export-MemcacheData -Server $TlsSource.TlsServer -Path $dump -TlsCaFile $Tls.CaFile
        $export.Complete | Should -BeTrue
        $export.Dumped | Should -Be $Items.Count
        $import = Import-MemcacheData -Path $dump -Server "localhost:$($TlsTarget.TlsPort)" -Tls -TlsCaFile $Tls.CaFile -Confirm:$false
        $import.Stored | Should -Be $Items.Count
        Move-MemcacheNode -Source $TlsSource.TlsServer -Destination $Plain.Server -TlsCaFile $Tls.CaFile -Confirm:$false |
            ForEach-Object Copied | Should -Be $Items.Count
        Compare-MemcacheData -Reference $TlsSource.TlsServer -Difference $Plain.Server -TlsCaFile $Tls.CaFile | Should -BeNullOrEmpty
        Compare-MemcacheData -Reference "tls://localhost:$($TlsTarget.TlsPort)" -Difference $Plain.Server -TlsCaFile $Tls.CaFile | Should -BeNullOrEmpty
    }
}

Describe 'Authentication (memcached -Y)' {
    It 'works with the right -Credential for every cmdlet' {
        $moved = Move-MemcacheNode -Source $Plain.Server -Destination $Secret.Server -Credential $Credential -Confirm:$false
        $moved.Copied | Should -Be $Items.Count
        (Get-MemcacheStats -Server $Secret.Server -Credential $Credential).CurrentItems | Should -Be $Items.Count
        @(Get-MemcacheKeys -Server $Secret.Server -Credential $Credential).Count | Should -Be $Items.Count
        Compare-MemcacheData -Reference $Plain.Server -Difference $Secret.Server -Credential $Credential | Should -BeNullOrEmpty
    }

    It 'fails clearly with a wrong password, and no output shows it' {
        $everything = & {
            Get-MemcacheStats -Server $Secret.Server -Credential $Wrong -Verbose -ErrorAction Continue
            Get-MemcacheStats -Server $Secret.Server -Credential $Credential -Verbose | Format-List * 
        } *>&1 | Out-String -Width 400
        $everything | Should -Match 'refused the password of user .ops.'
        $everything | Should -Not -Match ([regex]::Escape($Password))
        { Get-MemcacheStats -Server $Secret.Server -Credential $Wrong -ErrorAction Stop } | Should -Throw -ErrorId 'MemcacheAuthenticationFailed*'
    }

    It 'says how to give a credential when none was given' {
        { Get-MemcacheKeys -Server $Secret.Server -ErrorAction Stop } |
            Should -Throw -ErrorId 'MemcacheAuthenticationRequired*' -ExpectedMessage '*-Credential*'
    }
}

Describe 'Servers that hide their keys (memcached -X)' {
    It 'refuses a listing with an error that says how to give keys' {
        { Export-MemcacheData -Server $Hidden.Server -Path (Join-Path $Work 'refused') -ErrorAction Stop } |
            Should -Throw -ErrorId 'MemcacheListingDisabled*' -ExpectedMessage '*-KeyFile*'
    }

    It 'dumps the keys piped in as plain strings and counts the ones it lacks as missing' {
        $result = Get-Content -LiteralPath $KeyFile | Export-MemcacheData -Server $Hidden.Server -Path (Join-Path $Work 'piped')
        $result.Complete | Should -BeTrue
        $result.Dumped | Should -Be $Items.Count
        $result.Missing | Should -Be 2
        $result.Listed | Should -Be ($Items.Count + 2)
    }

    It 'dumps the keys of -KeyFile' {
        $result = Export-MemcacheData -Server $Hidden.Server -Path (Join-Path $Work 'keyfile') -KeyFile $KeyFile
        $result.Dumped | Should -Be $Items.Count
        $result.Missing | Should -Be 2
    }

    It 'moves and compares the keys piped in' {
        $target = Start-TestMemcached
        try {
            $moved = Get-Content -LiteralPath $KeyFile | Move-MemcacheNode -Source $Hidden.Server -Destination $target.Server -Confirm:$false
            $moved.Copied | Should -Be $Items.Count
            Get-Content -LiteralPath $KeyFile | Compare-MemcacheData -Reference $Hidden.Server -Difference $target.Server | Should -BeNullOrEmpty
            $summary = Compare-MemcacheData -Reference $Hidden.Server -Difference $target.Server -KeyFile $KeyFile -Summary
            $summary.Compared | Should -Be $Items.Count
        }
        finally {
            Stop-TestMemcached $target
        }
    }

    It 'names the line of a bad key file' {
        $bad = Join-Path $Work 'bad-keys.txt'
        @('good:1', 'b64:not base64!', 'good:2') | Set-Content -LiteralPath $bad
        { Export-MemcacheData -Server $Hidden.Server -Path (Join-Path $Work 'bad') -KeyFile $bad -ErrorAction Stop } |
            Should -Throw -ErrorId 'KeyFileInvalid*' -ExpectedMessage '*Line 2 *'
    }

    It 'still binds piped strings to -Server when no server is named' {
        $result = $Plain.Server | Export-MemcacheData -Path (Join-Path $Work 'piped-server')
        $result.Server | Should -Be $Plain.Server
        $result.Dumped | Should -Be $Items.Count
        $Plain.Server | Compare-MemcacheData -Reference $TlsSource.TlsServer -TlsCaFile $Tls.CaFile | Should -BeNullOrEmpty
    }
}
