#Requires -Version 7.6
# Pester 6. Parameters bound from the pipeline, by value and by property name, across cmdlets and from
# objects users already have (strings, CSV rows, Get-Item results), against real memcached servers.

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-Module -Name $ManifestPath -Force -ErrorAction Stop

    $A = Start-TestMemcached
    $B = Start-TestMemcached
    $Folder = New-TestFolder -Name 'memcacheops-pipeline'
    Add-TestItems -Server $A.Server -Count 400 -Prefix 'user:' -ValueSize 60 -Flags 11
    Add-TestItems -Server $A.Server -Count 100 -Prefix 'session:' -ValueSize 500 -Flags 12
    Add-TestItems -Server $B.Server -Count 50 -Prefix 'other:' -ValueSize 20

    function New-Target { Start-TestMemcached }
    function Get-Keys([string] $Server, [string] $Pattern = '*') { @(Get-MemcacheKeys -Server $Server -Pattern $Pattern -ErrorAction Stop | ForEach-Object Key | Sort-Object) }
}

AfterAll {
    Stop-TestMemcached $A
    Stop-TestMemcached $B
    if ($Folder) { Remove-Item -Path $Folder -Recurse -Force -ErrorAction SilentlyContinue }
    Remove-Module -Name MemcacheOps -Force -ErrorAction SilentlyContinue
}

Describe 'Servers by value and by property name' {
    It 'takes server names piped as strings (Get-MemcacheStats, Get-MemcacheKeys)' {
        $stats = @($A.Server, $B.Server | Get-MemcacheStats -ErrorAction Stop)
        @($stats.Server | Sort-Object) | Should -Be @($A.Server, $B.Server | Sort-Object)
        ($A.Server | Get-MemcacheKeys -Pattern 'session:*' -CountOnly -ErrorAction Stop).Count | Should -Be 100
    }

    It 'takes rows of a CSV file with a Server column' {
        $csv = Join-Path $Folder 'servers.csv'
        "Server,Role`n$($A.Server),old`n$($B.Server),new" | Set-Content -Path $csv
        $stats = @(Import-Csv -Path $csv | Get-MemcacheStats -ErrorAction Stop)
        $stats.Count | Should -Be 2
        ($stats | Where-Object Server -EQ $A.Server).CurrentItems | Should -Be 500
    }

    It 'chains Get-MemcacheStats into Get-MemcacheKeys through the Server property' {
        $counts = @(Get-MemcacheStats -Server $A.Server, $B.Server -ErrorAction Stop | Get-MemcacheKeys -CountOnly -ErrorAction Stop)
        ($counts | Where-Object Server -EQ $A.Server).Count | Should -Be 500
        ($counts | Where-Object Server -EQ $B.Server).Count | Should -Be 50
    }

    It 'filters with Where-Object on stats before acting: only servers holding items are listed' {
        $empty = New-Target
        try {
            $listed = @(Get-MemcacheStats -Server $A.Server, $empty.Server -ErrorAction Stop | Where-Object CurrentItems -GT 0 |
                    Get-MemcacheKeys -CountOnly -ErrorAction Stop)
            $listed.Server | Should -Be @($A.Server)
        }
        finally {
            Stop-TestMemcached $empty
        }
    }

    It 'binds Move-MemcacheNode -Source from Get-MemcacheStats output (alias Server)' {
        $target = New-Target
        try {
            $result = Get-MemcacheStats -Server $B.Server -ErrorAction Stop | Move-MemcacheNode -Destination $target.Server -Confirm:$false -ErrorAction Stop
            $result.Status | Should -Be 'Successful'
            $result.Copied | Should -Be 50
            (Get-Keys $target.Server) | Should -Be (Get-Keys $B.Server)
        }
        finally {
            Stop-TestMemcached $target
        }
    }

    It 'binds Export-MemcacheData -Server from a piped string' {
        $result = $B.Server | Export-MemcacheData -Path (Join-Path $Folder 'by-value') -ErrorAction Stop
        $result.Dumped | Should -Be 50
        $result.Server | Should -Be $B.Server
    }
}

Describe 'Get-MemcacheKeys | Where-Object | Export-MemcacheData' {
    It 'exports exactly the keys that pass the filter, with their values and flags' {
        $path = Join-Path $Folder 'filtered'
        $chosen = @(Get-MemcacheKeys -Server $A.Server -Pattern 'user:*' -ErrorAction Stop | Where-Object { [int]($_.Key -replace '^user:') % 4 -eq 0 })
        $chosen.Count | Should -Be 100
        $result = Get-MemcacheKeys -Server $A.Server -Pattern 'user:*' -ErrorAction Stop |
            Where-Object { [int]($_.Key -replace '^user:') % 4 -eq 0 } |
            Export-MemcacheData -Path $path -ErrorAction Stop
        $result.Dumped | Should -Be 100
        $result.Complete | Should -BeTrue
        $target = New-Target
        try {
            (Import-MemcacheData -Path $path -Server $target.Server -ErrorAction Stop).Stored | Should -Be 100
            (Get-Keys $target.Server) | Should -Be @($chosen.Key | Sort-Object)
            $copy = Get-TestItem -Server $target.Server -Key 'user:4'
            $original = Get-TestItem -Server $A.Server -Key 'user:4'
            $copy['user:4'].Value | Should -Be $original['user:4'].Value
            $copy['user:4'].Flags | Should -Be 11
        }
        finally {
            Stop-TestMemcached $target
        }
    }

    It 'exports keys from two servers piped together, each fetched from the server it came from' {
        $path = Join-Path $Folder 'two-servers'
        $result = Get-MemcacheKeys -Server $A.Server, $B.Server -ErrorAction Stop | Where-Object Key -Like '*:1?' |
            Export-MemcacheData -Path $path -ErrorAction Stop
        # user:10-19, session:10-19 on A; other:10-19 on B.
        ($result | Measure-Object -Property Dumped -Sum).Sum | Should -Be 30
        @($result | ForEach-Object Missing | Where-Object { $_ -ne 0 }).Count | Should -Be 0
    }

    It 'passes binary-safe key bytes through: a key piped back is found' {
        $key = Get-MemcacheKeys -Server $A.Server -Pattern 'session:7' -ErrorAction Stop
        $key.KeyBytes | Should -Be ([System.Text.Encoding]::UTF8.GetBytes('session:7'))
        ($key | Export-MemcacheData -Path (Join-Path $Folder 'one-key') -ErrorAction Stop).Dumped | Should -Be 1
    }
}

Describe 'Export-MemcacheData | Import-MemcacheData | Compare-MemcacheData' {
    It 'imports what the export wrote (Path binds by property name) and the comparison finds nothing' {
        $target = New-Target
        try {
            $imported = Export-MemcacheData -Server $A.Server -Path (Join-Path $Folder 'chain') -ErrorAction Stop |
                Import-MemcacheData -Server $target.Server -ErrorAction Stop
            $imported.Stored | Should -Be 500
            # The import result's Server binds to -Difference.
            $imported | Compare-MemcacheData -Reference $A.Server -ErrorAction Stop | Should -BeNullOrEmpty
            $imported | Compare-MemcacheData -Reference (Join-Path $Folder 'chain') -ErrorAction Stop | Should -BeNullOrEmpty
        }
        finally {
            Stop-TestMemcached $target
        }
    }

    It 'imports a dump folder piped from Get-Item (FullName binds to -Path)' {
        $target = New-Target
        try {
            $null = Export-MemcacheData -Server $B.Server -Path (Join-Path $Folder 'from-item') -ErrorAction Stop
            $result = Get-Item -Path (Join-Path $Folder 'from-item') | Import-MemcacheData -Server $target.Server -ErrorAction Stop
            $result.Stored | Should -Be 50
        }
        finally {
            Stop-TestMemcached $target
        }
    }

    It 'imports data files piped from Get-ChildItem' {
        $target = New-Target
        try {
            $null = Export-MemcacheData -Server $A.Server -Path (Join-Path $Folder 'files') -DataFileSize 16384 -ErrorAction Stop
            $files = @(Get-ChildItem -Path (Join-Path $Folder 'files' 'data') -File)
            $files.Count | Should -BeGreaterThan 1
            $result = $files | Import-MemcacheData -Server $target.Server -ErrorAction Stop
            ($result | Measure-Object -Property Stored -Sum).Sum | Should -Be 500
        }
        finally {
            Stop-TestMemcached $target
        }
    }

    It 'spreads an import over the ring of -Server, and compares servers piped together as one ring' {
        $ring = @(New-Target; New-Target)
        try {
            $result = Export-MemcacheData -Server $A.Server -Path (Join-Path $Folder 'ring') -ErrorAction Stop |
                Import-MemcacheData -Server $ring.Server -ErrorAction Stop
            $result.Stored | Should -Be 500
            $held = @($ring | ForEach-Object { Get-TestItemCount $_.Server })
            ($held | Measure-Object -Sum).Sum | Should -Be 500
            $held | ForEach-Object { $_ | Should -BeGreaterThan 100 -Because 'ketama spreads the keys over both nodes' }
            # Servers piped to Compare form one ring: every key is looked up on its owner.
            $ring.Server | Compare-MemcacheData -Reference $A.Server -ErrorAction Stop | Should -BeNullOrEmpty
        }
        finally {
            $ring | ForEach-Object { Stop-TestMemcached $_ }
        }
    }

    It 'binds -ConfigFile from objects with a ConfigFile property' {
        $output = Join-Path $Folder 'config-output'
        $file = Join-Path $Folder 'cachemover.yaml'
        Set-Content -Path $file -Value @('ip: "127.0.0.1"', "port: $($B.Port)", "output_dir: `"$output`"")
        $result = [pscustomobject]@{ ConfigFile = $file } | Export-MemcacheData -ErrorAction Stop
        $result.Path | Should -Be $output
        $result.Dumped | Should -Be 50
    }
}
