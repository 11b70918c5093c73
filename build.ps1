#!/usr/bin/env pwsh
#Requires -Version 7.6
<#
.SYNOPSIS
    Builds, lays out, tests and packages the MemcacheOps module.

.DESCRIPTION
    Each task runs the plain dotnet command that docs/module.md shows, so hosts without PowerShell get the
    same result with dotnet alone:

      Build    dotnet build MemcacheOps.sln -c <Configuration>
               (also lays out the importable module in artifacts/module/MemcacheOps)
      Layout   dotnet build tools/MemcacheOps.ModuleBuilder -c <Configuration>
               (only the module folder: cmdlets, adapters, help, views; verified, fails on a bad layout)
      Test     dotnet test MemcacheOps.sln -c <Configuration> --no-build, then the Pester suites in
               tests/pester in a fresh `pwsh -NoProfile -NonInteractive` (Pester 5 required)
      Package  dotnet tools/MemcacheOps.ModuleBuilder/bin/<Configuration>/net10.0/MemcacheOps.ModuleBuilder.dll
               pack artifacts/module/MemcacheOps artifacts/packages
               (MemcacheOps.<version>.nupkg, installable from a local PSResource repository)

    Tasks run in the order Build, Layout, Test, Package whatever order they are given in.

.PARAMETER Task
    One or more of Build, Layout, Test, Package. Default: Build.

.PARAMETER Configuration
    Release (default, what CI uses) or Debug.

.PARAMETER PackageOutput
    Folder for the .nupkg (default artifacts/packages). Register it as a repository to install from it.

.PARAMETER SkipPester
    Run only the dotnet tests.

.EXAMPLE
    ./build.ps1 -Task Build, Test

.EXAMPLE
    ./build.ps1 -Task Build, Package
    Register-PSResourceRepository -Name MemcacheOpsLocal -Uri ./artifacts/packages -Trusted
    Install-PSResource -Name MemcacheOps -Repository MemcacheOpsLocal
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Layout', 'Test', 'Package')]
    [string[]] $Task = @('Build'),

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',

    [string] $PackageOutput = (Join-Path $PSScriptRoot 'artifacts' 'packages'),

    [switch] $SkipPester
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

$solution = Join-Path $PSScriptRoot 'MemcacheOps.sln'
$builderProject = Join-Path $PSScriptRoot 'tools' 'MemcacheOps.ModuleBuilder' 'MemcacheOps.ModuleBuilder.csproj'
$builderDll = Join-Path $PSScriptRoot 'tools' 'MemcacheOps.ModuleBuilder' 'bin' $Configuration 'net10.0' 'MemcacheOps.ModuleBuilder.dll'
$moduleFolder = Join-Path $PSScriptRoot 'artifacts' 'module' 'MemcacheOps'
$pesterFolder = Join-Path $PSScriptRoot 'tests' 'pester'

function Invoke-Dotnet {
    param([Parameter(Mandatory)] [string[]] $Arguments)
    Write-Host "> dotnet $($Arguments -join ' ')" -ForegroundColor Cyan
    & dotnet @Arguments
    if ($LASTEXITCODE -ne 0) {
        throw "dotnet $($Arguments[0]) failed with exit code $LASTEXITCODE."
    }
}

function Invoke-Build {
    Invoke-Dotnet -Arguments @('build', $solution, '-c', $Configuration, '-nologo')
}

function Invoke-Layout {
    Invoke-Dotnet -Arguments @('build', $builderProject, '-c', $Configuration, '-nologo')
    Write-Host "Module folder: $moduleFolder"
}

function Invoke-Test {
    if (-not (Test-Path (Join-Path $moduleFolder 'MemcacheOps.psd1'))) {
        throw "The module is not built ($moduleFolder is missing). Run: ./build.ps1 -Task Build, Test"
    }
    Invoke-Dotnet -Arguments @('test', $solution, '-c', $Configuration, '--no-build', '-nologo')
    if ($SkipPester) {
        Write-Host 'Pester suites skipped (-SkipPester).'
        return
    }
    $pwsh = Get-Command -Name pwsh -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
    if (-not $pwsh) {
        Write-Warning 'pwsh was not found on PATH: the Pester suites did not run.'
        return
    }
    # A child process, so the suites import the freshly built module into a clean session (no profile, no
    # modules left over from this one), and so this session keeps no handle on the module's DLLs.
    $script = @"
`$ErrorActionPreference = 'Stop'
if (-not (Get-Module -ListAvailable -Name Pester | Where-Object { `$_.Version -ge [version]'5.5.0' })) {
    Write-Error 'Pester 5.5 or later is required: Install-PSResource -Name Pester -Version "[5.5.0,6.0.0)"'
}
Import-Module -Name Pester -MinimumVersion 5.5.0
`$configuration = New-PesterConfiguration
`$configuration.Run.Path = '$($pesterFolder -replace "'", "''")'
`$configuration.Run.Exit = `$true
`$configuration.Output.Verbosity = 'Detailed'
`$configuration.TestResult.Enabled = `$true
`$configuration.TestResult.OutputPath = '$((Join-Path $PSScriptRoot 'artifacts' 'test-results' 'pester.xml') -replace "'", "''")'
Invoke-Pester -Configuration `$configuration
"@
    Write-Host "> $($pwsh.Source) -NoProfile -NonInteractive -Command <Invoke-Pester $pesterFolder>" -ForegroundColor Cyan
    & $pwsh.Source -NoProfile -NonInteractive -Command $script
    if ($LASTEXITCODE -ne 0) {
        throw "The Pester suites failed (exit code $LASTEXITCODE)."
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
