<#
    Pester 5 checks that a migration worked, for use in a CI/CD pipeline after a move or an import:
        Invoke-Pester ./Verify-Migration.Tests.ps1 -Output Detailed
    Set MEMCACHEOPS_REFERENCE (servers or a dump path) and MEMCACHEOPS_TARGET (servers, comma-separated).
#>
BeforeDiscovery {
    $script:reference = $env:MEMCACHEOPS_REFERENCE
    $script:target = $env:MEMCACHEOPS_TARGET
}

Describe 'Migration' -Skip:(-not $env:MEMCACHEOPS_REFERENCE -or -not $env:MEMCACHEOPS_TARGET) {
    BeforeAll {
        Import-Module MemcacheOps
        $reference = $env:MEMCACHEOPS_REFERENCE -split ','
        $target = $env:MEMCACHEOPS_TARGET -split ','
    }

    It 'every target node answers' {
        Get-MemcacheStats -Server $target | Should -HaveCount $target.Count
    }

    It 'the target holds exactly the reference data' {
        Compare-MemcacheData -Reference $reference -Difference $target -TtlTolerance 5 | Should -BeNullOrEmpty
    }

    It 'nothing was evicted on the target while loading' {
        Get-MemcacheStats -Server $target | ForEach-Object { $_.Evictions | Should -Be 0 }
    }
}
