#Requires -Version 7.6
# Pester 6. End to end against real memcached servers started on free 127.0.0.1 ports.
# Parts that need cmdlets not built yet carry "(needs <cmdlet>)" in their names and are skipped, with that
# reason, until the module exports those cmdlets; they then run unchanged.

BeforeDiscovery {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-Module -Name $ManifestPath -Force -ErrorAction Stop
    $HasExport = [bool](Get-Command -Name Export-MemcacheData -Module MemcacheOps -ErrorAction SilentlyContinue)
    $HasImport = [bool](Get-Command -Name Import-MemcacheData -Module MemcacheOps -ErrorAction SilentlyContinue)
    $HasCompare = [bool](Get-Command -Name Compare-MemcacheData -Module MemcacheOps -ErrorAction SilentlyContinue)
    $HasExportImport = $HasExport -and $HasImport
    $HasRoundTrip = $HasExportImport -and $HasCompare
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-Module -Name $ManifestPath -Force -ErrorAction Stop

    $Source = Start-TestMemcached
    $Destination = Start-TestMemcached
    $DumpFolder = Join-Path ([System.IO.Path]::GetTempPath()) ("memcacheops-e2e-" + [guid]::NewGuid().ToString('N'))

    $Items = @{}
    foreach ($i in 1..200) { $Items["e2e:user:$i"] = "value-$i-" + ('x' * ($i * 10)) }
    foreach ($i in 1..50) { $Items["e2e:session:$i"] = "session-$i" }
    Set-TestItem -Server $Source.Server -Items $Items -Flags 42
}

AfterAll {
    Stop-TestMemcached $Source
    Stop-TestMemcached $Destination
    if ($DumpFolder -and (Test-Path $DumpFolder)) { Remove-Item -Path $DumpFolder -Recurse -Force }
    Remove-Module -Name MemcacheOps -Force -ErrorAction SilentlyContinue
}

Describe 'Get-MemcacheStats' {
    It 'reports the seeded server' {
        $stats = Get-MemcacheStats -Server $Source.Server
        $stats.Server | Should -Be $Source.Server
        $stats.CurrentItems | Should -Be $Items.Count
        $stats.Version | Should -Not -BeNullOrEmpty
    }

    It 'reports an unreachable server as a non-terminating error and still reports the others' {
        $unused = "127.0.0.1:$(Get-FreeTcpPort)"
        $stats = Get-MemcacheStats -Server $Source.Server, $unused -ConnectTimeout 2 -ErrorVariable failures -ErrorAction SilentlyContinue
        @($stats).Count | Should -Be 1
        @($failures).Count | Should -Be 1
        $failures[0].TargetObject | Should -Not -BeNullOrEmpty
    }

    It 'formats with the module view' {
        $text = Get-MemcacheStats -Server $Source.Server | Format-Table | Out-String
        $text | Should -Match 'HitRatio'
        $text | Should -Match 'Memory'
    }
}

Describe 'Get-MemcacheKeys' {
    It 'lists every seeded key exactly once' {
        $keys = @(Get-MemcacheKeys -Server $Source.Server -Pattern 'e2e:*')
        $keys.Count | Should -Be $Items.Count
        @($keys.Key | Sort-Object -Unique).Count | Should -Be $Items.Count
    }

    It 'filters while listing and counts with -CountOnly' {
        (Get-MemcacheKeys -Server $Source.Server -Pattern 'e2e:session:*' -CountOnly).Count | Should -Be 50
    }

    It 'stops promptly when the pipeline has enough' {
        @(Get-MemcacheKeys -Server $Source.Server | Select-Object -First 5).Count | Should -Be 5
    }

    It 'binds servers from the pipeline by property name' {
        $count = [pscustomobject]@{ Server = $Source.Server } | Get-MemcacheKeys -Pattern 'e2e:user:*' -CountOnly
        $count.Count | Should -Be 200
    }
}

Describe 'Export -> Import (needs Export-MemcacheData, Import-MemcacheData)' {
    BeforeAll {
        $Sample = @('e2e:user:1', 'e2e:user:200', 'e2e:session:7')
    }

    It 'exports every item of the source to a complete dump' -Skip:(-not $HasExportImport) {
        $result = Export-MemcacheData -Server $Source.Server -Path $DumpFolder -ErrorAction Stop
        $result.Complete | Should -BeTrue
        $result.Dumped | Should -Be $Items.Count
        $result.Missing | Should -Be 0
        $result.Path | Should -Be $DumpFolder
        Test-Path -Path $DumpFolder -PathType Container | Should -BeTrue
    }

    It 'imports the dump into an empty server with values and flags intact' -Skip:(-not $HasExportImport) {
        $result = Import-MemcacheData -Path $DumpFolder -Server $Destination.Server -ErrorAction Stop
        $result.Stored | Should -Be $Items.Count
        $result.Success | Should -BeTrue
        (Get-MemcacheStats -Server $Destination.Server).CurrentItems | Should -Be $Items.Count
        $copied = Get-TestItem -Server $Destination.Server -Key $Sample
        foreach ($key in $Sample) {
            $copied[$key].Value | Should -Be $Items[$key] -Because "value of $key"
            $copied[$key].Flags | Should -Be 42 -Because "flags of $key"
        }
    }

    It 'keeps what the target already has with the default mode Add' -Skip:(-not $HasExportImport) {
        Set-TestItem -Server $Destination.Server -Items @{ 'e2e:user:1' = 'written-by-live-traffic' } -Flags 42
        $result = Import-MemcacheData -Path $DumpFolder -Server $Destination.Server -ErrorAction Stop
        $result.AlreadyPresent | Should -Be $Items.Count
        (Get-TestItem -Server $Destination.Server -Key 'e2e:user:1')['e2e:user:1'].Value | Should -Be 'written-by-live-traffic'
    }

    It 'chains Export-MemcacheData into Import-MemcacheData through the pipeline' -Skip:(-not $HasExportImport) {
        $target = Start-TestMemcached
        try {
            $result = Export-MemcacheData -Server $Source.Server -Path (Join-Path $DumpFolder 'piped') -ErrorAction Stop |
                Import-MemcacheData -Server $target.Server -ErrorAction Stop
            $result.Stored | Should -Be $Items.Count
            (Get-MemcacheStats -Server $target.Server).CurrentItems | Should -Be $Items.Count
        }
        finally {
            Stop-TestMemcached $target
        }
    }

    It 'exports only the keys piped from Get-MemcacheKeys' -Skip:(-not $HasExportImport) {
        $result = Get-MemcacheKeys -Server $Source.Server -Pattern 'e2e:session:*' |
            Export-MemcacheData -Path (Join-Path $DumpFolder 'sessions') -ErrorAction Stop
        $result.Dumped | Should -Be 50
    }

    It 'writes nothing with -WhatIf' -Skip:(-not $HasExportImport) {
        $empty = Start-TestMemcached
        try {
            $unwritten = Join-Path $DumpFolder 'whatif'
            Export-MemcacheData -Server $Source.Server -Path $unwritten -WhatIf | Out-Null
            Test-Path -Path $unwritten | Should -BeFalse
            Import-MemcacheData -Server $empty.Server -Path $DumpFolder -WhatIf | Out-Null
            (Get-MemcacheStats -Server $empty.Server).CurrentItems | Should -Be 0
        }
        finally {
            Stop-TestMemcached $empty
        }
    }

    It 'formats results with the module views' -Skip:(-not $HasExportImport) {
        $text = Import-MemcacheData -Path $DumpFolder -Server $Destination.Server -Mode Set | Format-Table | Out-String
        $text | Should -Match 'Stored'
        $text | Should -Match 'Skipped'
    }
}

Describe 'Export-MemcacheData -ConfigFile (needs Export-MemcacheData)' {
    BeforeAll {
        $ConfigFolder = Join-Path $DumpFolder 'configs'
        $null = New-Item -ItemType Directory -Path $ConfigFolder -Force
        function New-CachemoverConfig([string] $Name, [string[]] $Lines) {
            $file = Join-Path $ConfigFolder $Name
            Set-Content -Path $file -Value $Lines -Encoding utf8NoBOM
            $file
        }
    }

    It 'dumps the server and folder the cachemover file names' -Skip:(-not $HasExport) {
        $output = Join-Path $DumpFolder 'from-config'
        $file = New-CachemoverConfig 'dump.yaml' @(
            '---'
            'ip: "127.0.0.1"'
            "port: $($Source.Port)"
            "output_dir: `"$output`""
            'threads: 2'
            'bulk_get_threshold: 30'
            'req_id: "e2e-config"'
        )
        $result = Export-MemcacheData -ConfigFile $file -ErrorAction Stop
        $result.Path | Should -Be $output
        $result.RequestId | Should -Be 'e2e-config'
        $result.Dumped | Should -Be $Items.Count
    }

    It 'lets parameters override the file' -Skip:(-not $HasExport) {
        $file = New-CachemoverConfig 'elsewhere.yaml' @(
            'ip: "127.0.0.1"'
            "port: $(Get-FreeTcpPort)"
            "output_dir: `"$(Join-Path $DumpFolder 'never-written')`""
        )
        $output = Join-Path $DumpFolder 'overridden'
        $result = Export-MemcacheData -Config $file -Server $Source.Server -Path $output -RequestId 'from-parameter' -ErrorAction Stop
        $result.Path | Should -Be $output
        $result.RequestId | Should -Be 'from-parameter'
        $result.Dumped | Should -Be $Items.Count
        Test-Path -Path (Join-Path $DumpFolder 'never-written') | Should -BeFalse
    }

    It 'binds -ConfigFile from the pipeline by property name' -Skip:(-not $HasExport) {
        $output = Join-Path $DumpFolder 'piped-config'
        $file = New-CachemoverConfig 'piped.yaml' @('ip: "127.0.0.1"', "port: $($Source.Port)", "output_dir: `"$output`"")
        $result = [pscustomobject]@{ ConfigFile = $file } | Export-MemcacheData -ErrorAction Stop
        $result.Path | Should -Be $output
    }

    It 'refuses an S3 dump that names no bucket clearly' -Skip:(-not $HasExport) {
        $file = New-CachemoverConfig 's3.yaml' @('ip: "127.0.0.1"', "port: $($Source.Port)", "output_dir: `"$DumpFolder`"", 'is_s3_dump: true')
        { Export-MemcacheData -ConfigFile $file -ErrorAction Stop } | Should -Throw -ErrorId 'ConfigInvalid,*' -ExpectedMessage "*s3_bucket*"
    }

    It 'names the file, line and key of a mistake' -Skip:(-not $HasExport) {
        $file = New-CachemoverConfig 'typo.yaml' @('ip: "127.0.0.1"', 'thread: 4')
        { Export-MemcacheData -ConfigFile $file -ErrorAction Stop } | Should -Throw -ExpectedMessage "*$file*line 2*thread*"
    }
}

Describe 'Round trip Export -> Import -> Compare (needs Compare-MemcacheData)' {
    # Compare-MemcacheData is not built yet: these run unchanged once the module exports it. Discovery's
    # $HasRoundTrip is not visible when tests run, so the setup asks again.
    BeforeAll {
        $CompareExists = [bool](Get-Command -Name Compare-MemcacheData -Module MemcacheOps -ErrorAction SilentlyContinue)
        if ($CompareExists) {
            $CompareTarget = Start-TestMemcached
            $CompareDump = Join-Path $DumpFolder 'compare'
            Export-MemcacheData -Server $Source.Server -Path $CompareDump -ErrorAction Stop | Out-Null
            Import-MemcacheData -Server $CompareTarget.Server -Path $CompareDump -ErrorAction Stop | Out-Null
        }
    }

    AfterAll {
        if ($CompareExists) { Stop-TestMemcached $CompareTarget }
    }

    It 'finds no differences after export and import' -Skip:(-not $HasRoundTrip) {
        Compare-MemcacheData -Reference $Source.Server -Difference $CompareTarget.Server | Should -BeNullOrEmpty
    }

    It 'reports a difference when the destination changed a key' -Skip:(-not $HasRoundTrip) {
        Set-TestItem -Server $CompareTarget.Server -Items @{ 'e2e:user:1' = 'changed' } -Flags 42
        @(Compare-MemcacheData -Reference $Source.Server -Difference $CompareTarget.Server).Count | Should -BeGreaterThan 0
    }
}
