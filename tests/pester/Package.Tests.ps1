#Requires -Version 7.6
# Pester 6. The package a user installs: the built module packed as build.ps1 -Task Package does it, published in
# a local PSResource repository (a folder), installed from it with PSResourceGet, imported by name in a fresh
# session that has no other copy on PSModulePath, and used: Get-MemcacheStats against a real memcached, its help
# and its view, and its private dependencies.

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    $Builder = @('Release', 'Debug') | ForEach-Object { Join-Path $RepositoryRoot 'tools' 'MemcacheOps.ModuleBuilder' 'bin' $_ 'net10.0' 'MemcacheOps.ModuleBuilder.dll' } |
        Where-Object { Test-Path $_ } | Select-Object -First 1
    if (-not $Builder) { throw 'The module builder is not built: dotnet build MemcacheOps.sln -c Release' }
    $ModuleFolder = Split-Path -Path $LayoutManifestPath -Parent
    $Version = (Import-PowerShellDataFile -Path $LayoutManifestPath).ModuleVersion
    $Folder = New-TestFolder -Name 'memcacheops-package'
    $Packages = Join-Path $Folder 'packages'
    $Installed = Join-Path $Folder 'modules'
    $null = New-Item -ItemType Directory -Path $Packages, $Installed
    $pack = & dotnet $Builder pack $ModuleFolder $Packages 2>&1
    if ($LASTEXITCODE -ne 0) { throw "Packing failed: $pack" }
    $Server = Start-TestMemcached
    Add-TestItems -Server $Server.Server -Count 42 -Prefix 'pkg:'
    $Repository = 'MemcacheOpsPester' + [guid]::NewGuid().ToString('N').Substring(0, 8)
    $script = @"
`$ErrorActionPreference = 'Stop'
Register-PSResourceRepository -Name '$Repository' -Uri '$Packages' -Trusted
try {
    `$found = Find-PSResource -Name MemcacheOps -Repository '$Repository'
    Save-PSResource -Name MemcacheOps -Repository '$Repository' -Path '$Installed' -TrustRepository
}
finally {
    Unregister-PSResourceRepository -Name '$Repository'
}
Import-Module MemcacheOps
`$module = Get-Module MemcacheOps
`$stats = Get-MemcacheStats -Server '$($Server.Server)'
`$view = `$stats | Out-String -Width 80
`$help = Get-Help Get-MemcacheStats
`$dependencies = [MemcacheOps.Cmdlets.Loading.ModuleLifetime].Assembly.GetType('MemcacheOps.Cmdlets.Loading.AdapterHost', `$true).GetProperty('Factory', [System.Reflection.BindingFlags]'Static, Public, NonPublic').GetValue(`$null).Describe()
'REPORT ' + ([pscustomobject]@{
    Found = "`$(`$found.Name) `$(`$found.Version)"; Base = `$module.ModuleBase; Version = `$module.Version.ToString(); Items = `$stats.CurrentItems
    Server = `$stats.Server; View = `$view; Synopsis = `$help.Synopsis; Dependencies = "`$dependencies"
    Cmdlets = @(`$module.ExportedCmdlets.Keys | Sort-Object)
} | ConvertTo-Json -Compress)
"@
    # Only the installed copy is findable: the build folder is not on this session's PSModulePath.
    $Run = Invoke-TestPwsh -Script $script -Environment @{ PSModulePath = $Installed }
    $line = $Run.Output -split "`r?`n" | Where-Object { $_.StartsWith('REPORT ') } | Select-Object -Last 1
    $Report = if ($line) { $line.Substring(7) | ConvertFrom-Json }
}

AfterAll {
    Stop-TestMemcached $Server
    if ($Folder) { Remove-Item -Path $Folder -Recurse -Force -ErrorAction SilentlyContinue }
}

Describe 'The MemcacheOps package' {
    It 'is a .nupkg named after the manifest''s version' {
        Join-Path $Packages "MemcacheOps.$Version.nupkg" | Should -Exist
    }

    It 'is found in a local PSResource repository and installs from it' {
        $Run.ExitCode | Should -Be 0 -Because $Run.Text
        $Report | Should -Not -BeNullOrEmpty -Because $Run.Text
        $Report.Found | Should -Be "MemcacheOps $Version"
        Join-Path $Installed 'MemcacheOps' $Version 'MemcacheOps.psd1' | Should -Exist
    }

    It 'imports by name from the installed copy' {
        $Report.Base | Should -BeLike "$Installed*"
        $Report.Version | Should -Be $Version
        $Report.Cmdlets | Should -Be @((Import-PowerShellDataFile -Path $ManifestPath).CmdletsToExport | Sort-Object)
    }

    It 'runs Get-MemcacheStats from the installed copy against memcached' {
        $Report.Server | Should -Be $Server.Server
        $Report.Items | Should -Be 42
    }

    It 'brings its views and help' {
        $Report.View | Should -Match 'HitRatio'
        $Report.Synopsis | Should -Match 'statistics'
    }

    It 'loads its dependencies from its own dependencies folder, in its private context' {
        $Report.Dependencies | Should -Match '\[MemcacheOps\.Adapters\]'
        $Report.Dependencies | Should -Match ([regex]::Escape($Installed))
    }
}
