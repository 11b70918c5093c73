#Requires -Version 7.6
# Pester 5. Get-MemcacheCluster against a loopback discovery endpoint that answers in the documented format
# and lists three real memcached nodes started here; the CLI's 'cluster' verb against the same endpoint.

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-Module -Name $ManifestPath -Force -ErrorAction Stop

    $Nodes = @(1..3 | ForEach-Object { Start-TestMemcached })
    # One node by a name that resolves, one by a name that never resolves (RFC 6761 .invalid) with its IP,
    # one by IP only.
    $Endpoint = Start-TestDiscoveryEndpoint -Version 12 -Node @(
        "localhost|127.0.0.1|$($Nodes[0].Port)"
        "node-2.cluster.invalid|127.0.0.1|$($Nodes[1].Port)"
        "|127.0.0.1|$($Nodes[2].Port)"
    )
    $Expected = @("localhost:$($Nodes[0].Port)", $Nodes[1].Server, $Nodes[2].Server)
    $Cli = Join-Path $RepositoryRoot 'src' 'MemcacheOps.Cli' 'bin' 'Release' 'net10.0' 'memcacheops.dll'
}

AfterAll {
    Stop-TestDiscoveryEndpoint $Endpoint
    foreach ($node in $Nodes) { Stop-TestMemcached $node }
    Remove-Module -Name MemcacheOps -Force -ErrorAction SilentlyContinue
}

Describe 'Get-MemcacheCluster' {
    It 'lists exactly the three configured nodes, in order' {
        $found = @(Get-MemcacheCluster -DiscoveryEndpoint $Endpoint.Server -ErrorAction Stop)
        $found.Server | Should -Be $Expected
        $found.Host | Should -Be @('localhost', 'node-2.cluster.invalid', '')
        # ($found.Address would name the array's own Address method, a PowerShell quirk: enumerate instead.)
        @($found | ForEach-Object Address) | Should -Be @('127.0.0.1', '127.0.0.1', '127.0.0.1')
        $found.Port | Should -Be @($Nodes.Port)
        $found.ConfigVersion | Should -Be @(12, 12, 12)
        $found[0].ToString() | Should -Be $Expected[0]
    }

    It 'feeds Get-MemcacheStats through the pipeline, which reports all three' {
        $stats = @(Get-MemcacheCluster $Endpoint.Server | Get-MemcacheStats -ErrorAction Stop)
        $stats.Count | Should -Be 3
        @($stats.Server | Sort-Object) | Should -Be @($Expected | Sort-Object)
    }

    It 'gives -Destination its servers: a move spreads a node''s items over the cluster' {
        $source = Start-TestMemcached
        try {
            $items = @{}
            foreach ($i in 1..120) { $items["cluster:move:$i"] = "v$i" }
            Set-TestItem -Server $source.Server -Items $items
            $result = @(Move-MemcacheNode -Source $source.Server -Destination (Get-MemcacheCluster $Endpoint.Server).Server -Confirm:$false -ErrorAction Stop)
            $result.Count | Should -Be 3
            ($result | Measure-Object -Property Copied -Sum).Sum | Should -Be $items.Count
            $found = 0
            foreach ($server in $Expected) { $found += (Get-TestItem -Server $server -Key @($items.Keys)).Count }
            $found | Should -Be $items.Count
        }
        finally {
            Stop-TestMemcached $source
        }
    }

    It 'sends the endpoint nothing but config get cluster' {
        @($Endpoint.Endpoint.Received | Select-Object -Unique) | Should -Be @('config get cluster')
    }

    It 'names a plain memcached that is not a discovery endpoint, as a non-terminating error' {
        $found = Get-MemcacheCluster -DiscoveryEndpoint $Nodes[0].Server -ErrorVariable failures -ErrorAction SilentlyContinue
        $found | Should -BeNullOrEmpty
        @($failures).Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'ClusterNotDiscoveryEndpoint,*'
        $failures[0].TargetObject | Should -Be $Nodes[0].Server
        $failures[0].Exception.Message | Should -BeLike "*$($Nodes[0].Server)*config get cluster*"
        { Get-MemcacheCluster -DiscoveryEndpoint $Nodes[0].Server -ErrorAction Stop } | Should -Throw -ErrorId 'ClusterNotDiscoveryEndpoint*'
    }

    It 'keeps every column of its table at 80 columns' {
        $text = Get-MemcacheCluster $Endpoint.Server | Format-Table | Out-String -Width 80
        foreach ($column in 'Server', 'Address', 'Port', 'Version') { $text | Should -Match $column }
        $text | Should -Match ([regex]::Escape($Expected[0]))
    }
}

Describe 'memcacheops cluster' {
    It 'prints the same three servers, one per line' {
        $lines = @(& dotnet $Cli cluster --discovery-endpoint $Endpoint.Server)
        $LASTEXITCODE | Should -Be 0
        $lines | Should -Be $Expected
    }

    It 'prints one comma-separated line for --server with --csv' {
        $line = & dotnet $Cli cluster --discovery-endpoint $Endpoint.Server --csv
        $LASTEXITCODE | Should -Be 0
        $line | Should -Be ($Expected -join ',')
    }

    It 'exits 2 naming a plain memcached' {
        $errors = & dotnet $Cli cluster --discovery-endpoint $Nodes[1].Server 2>&1
        $LASTEXITCODE | Should -Be 2
        ($errors -join "`n") | Should -BeLike "*$($Nodes[1].Server) is not a cluster configuration*"
    }
}
