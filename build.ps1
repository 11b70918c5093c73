#!/usr/bin/env pwsh
#Requires -Version 7.6
<#
.SYNOPSIS
    Builds, lays out, tests and packages the MemcacheOps module.

.DESCRIPTION
    Each task runs the plain dotnet command that docs/module.md shows, so hosts without PowerShell get the
    same result with dotnet alone:

      Build    dotnet build MemcacheOps.sln -c <Configuration> -warnaserror
               (also lays out the importable module in artifacts/module/MemcacheOps)
      Layout   dotnet build tools/MemcacheOps.ModuleBuilder -c <Configuration>
               (only the module folder: cmdlets, adapters, help, views; verified, fails on a bad layout)
      Test     dotnet test MemcacheOps.sln -c <Configuration> --no-build (TRX files in artifacts/test-results),
               then the Pester kit in tests/pester in a fresh `pwsh -NoProfile -NonInteractive` with the Pester
               version pinned in tools/TestDownloads (restored from NuGet when missing; NUnit 3 results in
               artifacts/test-results/pester.xml). Both run even when the first fails; the task fails if either did.
      Package  dotnet tools/MemcacheOps.ModuleBuilder/bin/<Configuration>/net10.0/MemcacheOps.ModuleBuilder.dll
               pack artifacts/module/MemcacheOps artifacts/packages
               (MemcacheOps.<version>.nupkg, installable from a local PSResource repository)

    Tasks run in the order Build, Layout, Test, Package whatever order they are given in. From a shell other
    than PowerShell, separate them with commas and no spaces: pwsh ./build.ps1 -Task Build,Test

.PARAMETER Task
    One or more of Build, Layout, Test, Package. Default: Build.

.PARAMETER Configuration
    Release (default, what CI uses) or Debug.

.PARAMETER PackageOutput
    Folder for the .nupkg (default artifacts/packages). Register it as a repository to install from it.

.PARAMETER SkipPester
    Run only the dotnet tests.

.PARAMETER SkipDotnetTest
    Run only the Pester kit (after a build).

.EXAMPLE
    ./build.ps1 -Task Build, Test

    Builds, then runs every test: xunit, then the Pester kit (which starts its own memcached servers and S3/SQS
    emulators; run `bash .ci/setup` once on a new machine).

.EXAMPLE
    ./build.ps1 -Task Build, Package
    Register-PSResourceRepository -Name MemcacheOpsLocal -Uri ./artifacts/packages -Trusted
    Install-PSResource -Name MemcacheOps -Repository MemcacheOpsLocal
#>
[CmdletBinding()]
param(
    [ArgumentCompleter({ param($c, $p, $word) 'Build', 'Layout', 'Test', 'Package' | Where-Object { $_ -like "$word*" } })]
    [string[]] $Task = @('Build'),

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',

    [string] $PackageOutput = (Join-Path $PSScriptRoot 'artifacts' 'packages'),

    [switch] $SkipPester,

    [switch] $SkipDotnetTest
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

# `-Task Build,Test` from bash or cmd arrives as one string: split it, then check every name.
$knownTasks = 'Build', 'Layout', 'Test', 'Package'
$Task = @($Task | ForEach-Object { $_ -split ',' } | ForEach-Object Trim | Where-Object { $_ })
foreach ($name in $Task) {
    if ($name -notin $knownTasks) { throw "Unknown task '$name'. Tasks: $($knownTasks -join ', ')." }
}

$solution = Join-Path $PSScriptRoot 'MemcacheOps.sln'
$builderProject = Join-Path $PSScriptRoot 'tools' 'MemcacheOps.ModuleBuilder' 'MemcacheOps.ModuleBuilder.csproj'
$builderDll = Join-Path $PSScriptRoot 'tools' 'MemcacheOps.ModuleBuilder' 'bin' $Configuration 'net10.0' 'MemcacheOps.ModuleBuilder.dll'
$moduleFolder = Join-Path $PSScriptRoot 'artifacts' 'module' 'MemcacheOps'
$pesterFolder = Join-Path $PSScriptRoot 'tests' 'pester'
$resultsFolder = Join-Path $PSScriptRoot 'artifacts' 'test-results'
$testDownloads = Join-Path $PSScriptRoot 'tools' 'TestDownloads' 'TestDownloads.csproj'

function Invoke-Dotnet {
    param([Parameter(Mandatory)] [string[]] $Arguments)
    Write-Host "> dotnet $($Arguments -join ' ')" -ForegroundColor Cyan
    & dotnet @Arguments
    if ($LASTEXITCODE -ne 0) {
        throw "dotnet $($Arguments[0]) failed with exit code $LASTEXITCODE."
    }
}

function Invoke-Build {
    Invoke-Dotnet -Arguments @('build', $solution, '-c', $Configuration, '-warnaserror', '-nologo')
}

function Invoke-Layout {
    Invoke-Dotnet -Arguments @('build', $builderProject, '-c', $Configuration, '-nologo')
    Write-Host "Module folder: $moduleFolder"
}

function Get-PesterManifest {
    <# The pinned Pester (tools/TestDownloads) in the NuGet packages folder, restored first when it is missing. #>
    $pin = [regex]::Match((Get-Content -Raw -Path $testDownloads), '<PackageDownload\s+Include="Pester"\s+Version="\[([^\]]+)\]"')
    if (-not $pin.Success) { throw "No pinned Pester version (PackageDownload Include=""Pester"") in $testDownloads." }
    $version = $pin.Groups[1].Value
    $listing = & dotnet nuget locals global-packages --list
    $packages = ($listing | Select-String -Pattern '^global-packages:\s*(.+)$').Matches.Groups[1].Value.Trim()
    $manifest = Join-Path $packages 'pester' $version 'tools' 'Pester.psd1'
    if (-not (Test-Path $manifest)) {
        Invoke-Dotnet -Arguments @('restore', $testDownloads, '-nologo', '-v', 'q')
    }
    if (-not (Test-Path $manifest)) { throw "Pester $version is not at $manifest after restoring $testDownloads." }
    return $manifest
}

function Invoke-Test {
    if (-not (Test-Path (Join-Path $moduleFolder 'MemcacheOps.psd1'))) {
        throw "The module is not built ($moduleFolder is missing). Run: ./build.ps1 -Task Build, Test"
    }
    $null = New-Item -ItemType Directory -Path $resultsFolder -Force
    Get-ChildItem -Path $resultsFolder -File | Where-Object { $_.Extension -eq '.trx' -or $_.Name -eq 'pester.xml' } | Remove-Item
    $failures = @()
    if (-not $SkipDotnetTest) {
        try {
            Invoke-Dotnet -Arguments @('test', $solution, '-c', $Configuration, '--no-build', '-nologo',
                '--logger', 'trx', '--results-directory', $resultsFolder, '--blame-hang-timeout', '10m')
        }
        catch {
            $failures += "dotnet test: $($_.Exception.Message)"
        }
    }
    if (-not $SkipPester) {
        $pester = Get-PesterManifest
        # This pwsh (as a .NET global tool the process itself is `dotnet`, so take the apphost in $PSHOME).
        $pwsh = Join-Path $PSHOME ($IsWindows ? 'pwsh.exe' : 'pwsh')
        if (-not (Test-Path $pwsh)) { $pwsh = (Get-Process -Id $PID).Path }
        # A child process, so the suites import the freshly built module into a clean session (no profile, no
        # modules left over from this one), and so this session keeps no handle on the module's DLLs.
        $script = @"
`$ErrorActionPreference = 'Stop'
Import-Module -Name '$($pester -replace "'", "''")'
`$configuration = New-PesterConfiguration
`$configuration.Run.Path = '$($pesterFolder -replace "'", "''")'
`$configuration.Run.Exit = `$true
`$configuration.Output.Verbosity = 'Detailed'
`$configuration.TestResult.Enabled = `$true
`$configuration.TestResult.OutputFormat = 'NUnit3'
`$configuration.TestResult.OutputPath = '$((Join-Path $resultsFolder 'pester.xml') -replace "'", "''")'
Invoke-Pester -Configuration `$configuration
"@
        Write-Host "> $pwsh -NoProfile -NonInteractive -Command <Invoke-Pester $pesterFolder> (Pester from $pester)" -ForegroundColor Cyan
        & $pwsh -NoProfile -NonInteractive -Command $script
        if ($LASTEXITCODE -ne 0) {
            $failures += "Pester: exit code $LASTEXITCODE (failed tests, blocks or files)"
        }
    }
    if ($failures) {
        throw "Tests failed: $($failures -join '; ')"
    }
}

function Invoke-Package {
    if (-not (Test-Path $builderDll)) {
        throw "The module builder is not built ($builderDll). Run: ./build.ps1 -Task Build, Package"
    }
    Invoke-Dotnet -Arguments @($builderDll, 'verify', $moduleFolder)
    Invoke-Dotnet -Arguments @($builderDll, 'pack', $moduleFolder, $PackageOutput)
    Write-Host @"
To install it from a local repository:
    Register-PSResourceRepository -Name MemcacheOpsLocal -Uri '$PackageOutput' -Trusted
    Install-PSResource -Name MemcacheOps -Repository MemcacheOpsLocal
"@
}

foreach ($step in 'Build', 'Layout', 'Test', 'Package') {
    if ($Task -contains $step) {
        Write-Host "== $step" -ForegroundColor Green
        & "Invoke-$step"
    }
}
