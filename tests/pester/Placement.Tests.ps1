#Requires -Version 7.6
# Pester 5. Import-MemcacheData into an mcrouter pool of three real memcached servers started here: each key
# must land on the server mcrouter's own code gives it. The expected indexes come from mcrouter's furc_hash
# and crc32 compiled from its sources (the vectors of tests/MemcacheOps.Tests/Routing/McrouterPoolTests.cs).

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-Module -Name $ManifestPath -Force -ErrorAction Stop

    $Pool = @(1..3 | ForEach-Object { Start-TestMemcached })
    $Source = Start-TestMemcached
    $Keys = @('a', 'foo', 'hello', 'user:1234', 'abcdefg', 'abcdefgh', 'abcdefghi', ('k' * 16))
    $Items = @{}
    foreach ($key in $Keys) { $Items[$key] = "value of $key" }
    Set-TestItem -Server $Source.Server -Items $Items -Flags 7
    $Dump = Join-Path ([System.IO.Path]::GetTempPath()) ('memcacheops-placement-' + [guid]::NewGuid().ToString('N'))
    Export-MemcacheData -Server $Source.Server -Path $Dump -ErrorAction Stop | Out-Null

    function Get-Holder {
        # The index of the pool server that holds each key (-1: none, -2: several).
        param([string[]] $Key)
        $held = @{}
        foreach ($k in $Key) { $held[$k] = -1 }
        for ($i = 0; $i -lt $Pool.Count; $i++) {
            $found = Get-TestItem -Server $Pool[$i].Server -Key $Key
            foreach ($k in $found.Keys) { $held[$k] = if ($held[$k] -eq -1) { $i } else { -2 } }
        }
        return $held
    }

    function Clear-Pool {
        foreach ($server in $Pool) {
            $hostName, $port = $server.Server -split ':'
            $client = [System.Net.Sockets.TcpClient]::new($hostName, [int]$port)
            try {
                $bytes = [System.Text.Encoding]::ASCII.GetBytes("flush_all`r`n")
                $client.GetStream().Write($bytes, 0, $bytes.Length)
                $reader = [System.IO.StreamReader]::new($client.GetStream())
                $reader.ReadLine() | Should -Be 'OK'
            }
            finally { $client.Dispose() }
        }
    }
}

AfterAll {
    foreach ($server in @($Pool) + $Source) { Stop-TestMemcached $server }
    if ($Dump -and (Test-Path $Dump)) { Remove-Item -Path $Dump -Recurse -Force }
    Remove-Module -Name MemcacheOps -Force -ErrorAction SilentlyContinue
}

Describe 'Import-MemcacheData -RingForm' {
    BeforeEach { Clear-Pool }

    It 'puts each key on the ch3 owner mcrouter computes' {
        $result = Import-MemcacheData -Path $Dump -Server $Pool.Server -RingForm Ch3 -Confirm:$false -ErrorAction Stop
        $result.Stored | Should -Be $Keys.Count
        $held = Get-Holder -Key $Keys
        # furc_hash(key, 3) from mcrouter's lib/fbi/hash.c
        $expected = @{ 'a' = 1; 'foo' = 1; 'hello' = 0; 'user:1234' = 0; 'abcdefg' = 2; 'abcdefgh' = 2; 'abcdefghi' = 2; ('k' * 16) = 2 }
        foreach ($key in $Keys) { $held[$key] | Should -Be $expected[$key] -Because "ch3 places '$key'" }
    }

    It 'puts each key on the crc32 owner mcrouter computes' {
        Import-MemcacheData -Path $Dump -Server $Pool.Server -RingForm Crc32 -Confirm:$false -ErrorAction Stop | Out-Null
        $held = Get-Holder -Key $Keys
        # (crc32(key) & 0x7fffffff) % 3
        $expected = @{ 'a' = 1; 'foo' = 0; 'hello' = 1; 'user:1234' = 2; 'abcdefg' = 0; 'abcdefgh' = 2; 'abcdefghi' = 1; ('k' * 16) = 2 }
        foreach ($key in $Keys) { $held[$key] | Should -Be $expected[$key] -Because "crc32 places '$key'" }
    }

    It 'appends the pool''s hash salt before hashing' {
        Import-MemcacheData -Path $Dump -Server $Pool.Server -RingForm Ch3 -HashSalt 'pool-b' -Confirm:$false -ErrorAction Stop | Out-Null
        # furc_hash('user:1234pool-b', 3) = 2, where the unsalted key goes to 0
        (Get-Holder -Key 'user:1234')['user:1234'] | Should -Be 2
        Compare-MemcacheData -Reference $Dump -Difference $Pool.Server -RingForm Ch3 -HashSalt 'pool-b' | Should -BeNullOrEmpty
        @(Compare-MemcacheData -Reference $Dump -Difference $Pool.Server -RingForm Ch3 -ErrorAction Stop).Count | Should -BeGreaterThan 0
    }

    It 'refuses a weighted pool without its weights, even with -WhatIf, before writing anything' {
        { Import-MemcacheData -Path $Dump -Server $Pool.Server -RingForm WeightedCh3 -WhatIf -ErrorAction Stop } |
            Should -Throw -ErrorId 'RingWeightsMissing*'
        { Import-MemcacheData -Path $Dump -Server $Pool.Server -HashSalt 'x' -Confirm:$false -ErrorAction Stop } |
            Should -Throw -ErrorId 'RingSaltNeedsMcrouter*'
        @((Get-Holder -Key $Keys).Values | Select-Object -Unique) | Should -Be @(-1)
    }
}
