#Requires -Version 7.6
# Pester 5. MemcacheOps and AWS.Tools.S3 load in the same session in either order: the module's AWSSDK and
# YamlDotNet live in a private load context, so neither module sees the other's copies. Each order runs in a
# fresh `pwsh -NoProfile -NonInteractive`, because assembly loading cannot be undone inside one process.
# Skipped, with the reason, when AWS.Tools.S3 is not installed (Install-PSResource AWS.Tools.S3).

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    $Pwsh = (Get-Process -Id $PID).Path
    $HasAwsTools = [bool](Get-Module -ListAvailable -Name AWS.Tools.S3)
    $SkipReason = 'AWS.Tools.S3 is not installed on this machine (Install-PSResource AWS.Tools.S3 to run the load-order tests)'

    function Invoke-FreshSession {
        param([Parameter(Mandatory)] [string[]] $ImportOrder)
        $imports = foreach ($module in $ImportOrder) {
            if ($module -eq 'MemcacheOps') { "Import-Module -Name '$($ManifestPath -replace "'", "''")' -ErrorAction Stop" }
            else { "Import-Module -Name '$module' -ErrorAction Stop" }
        }
        $script = @"
`$ErrorActionPreference = 'Stop'
$($imports -join "`n")
# AWS.Tools works (local call, no network): its AWSSDK.Core is usable.
`$region = Get-AWSRegion | Select-Object -First 1
# MemcacheOps works, and its adapters load in their private context next to AWS.Tools' copies.
`$hostType = [MemcacheOps.Cmdlets.Loading.ModuleLifetime].Assembly.GetType('MemcacheOps.Cmdlets.Loading.AdapterHost', `$true)
`$factory = `$hostType.GetProperty('Factory', [System.Reflection.BindingFlags]'Static, Public, NonPublic').GetValue(`$null)
`$description = `$factory.Describe()
`$null = Get-MemcacheStats -Server '127.0.0.1:1' -ConnectTimeout 1 -ErrorAction SilentlyContinue
`$contexts = foreach (`$assembly in [AppDomain]::CurrentDomain.GetAssemblies()) {
    `$name = `$assembly.GetName().Name
    if (`$name -in 'AWSSDK.Core', 'YamlDotNet', 'MemcacheOps.Engine', 'MemcacheOps.Adapters') {
        '{0} {1} [{2}]' -f `$name, `$assembly.GetName().Version, [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext(`$assembly).Name
    }
}
[pscustomobject]@{ Region = [string]`$region.Region; Description = `$description; Assemblies = @(`$contexts) } | ConvertTo-Json -Compress
"@
        $output = @(& $Pwsh -NoProfile -NonInteractive -Command $script 2>&1 | ForEach-Object { "$_" })
        $json = $output | Where-Object { $_.TrimStart().StartsWith('{') } | Select-Object -Last 1
        [pscustomobject]@{
            ExitCode = $LASTEXITCODE
            Output   = $output -join "`n"
            Report   = if ($json) { $json | ConvertFrom-Json } else { $null }
        }
    }
}

Describe 'Loading next to AWS.Tools.S3' {
    It 'works with AWS.Tools.S3 imported first, then MemcacheOps' {
        if (-not $HasAwsTools) { Set-ItResult -Skipped -Because $SkipReason; return }
        $result = Invoke-FreshSession -ImportOrder 'AWS.Tools.S3', 'MemcacheOps'
        $result.ExitCode | Should -Be 0 -Because $result.Output
        $report = $result.Report
        $report.Region | Should -Not -BeNullOrEmpty
        $report.Description | Should -Match '\[MemcacheOps\.Adapters\]'
        @($report.Assemblies | Where-Object { $_ -like 'MemcacheOps.Engine * `[Default`]' }).Count | Should -Be 1
    }

    It 'works with MemcacheOps imported first, then AWS.Tools.S3' {
        if (-not $HasAwsTools) { Set-ItResult -Skipped -Because $SkipReason; return }
        $result = Invoke-FreshSession -ImportOrder 'MemcacheOps', 'AWS.Tools.S3'
        $result.ExitCode | Should -Be 0 -Because $result.Output
        $report = $result.Report
        $report.Region | Should -Not -BeNullOrEmpty
        $report.Description | Should -Match '\[MemcacheOps\.Adapters\]'
    }

    # The adapters' Describe() names every third-party assembly they bind to, which loads it in their context.
    It 'keeps the module''s AWSSDK.Core in its private context when the module ships one' {
        if (-not $HasAwsTools) { Set-ItResult -Skipped -Because $SkipReason; return }
        $moduleFolder = Split-Path -Path $LayoutManifestPath -Parent
        if (-not (Test-Path (Join-Path $moduleFolder 'dependencies' 'AWSSDK.Core.dll'))) {
            Set-ItResult -Skipped -Because 'the module does not ship AWSSDK.Core yet (no S3 adapter built)'
            return
        }
        $result = Invoke-FreshSession -ImportOrder 'AWS.Tools.S3', 'MemcacheOps'
        $result.ExitCode | Should -Be 0 -Because $result.Output
        $report = $result.Report
        @($report.Assemblies | Where-Object { $_ -like 'AWSSDK.Core * `[MemcacheOps.Adapters`]' }).Count | Should -Be 1
        @($report.Assemblies | Where-Object { $_ -like 'AWSSDK.Core * `[Default`]' }).Count | Should -Be 1
    }
}
