#Requires -Version 7.6
# Pester 6. The manifest is valid, and exports exactly what the module contains.

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    $Manifest = Test-ModuleManifest -Path $ManifestPath -ErrorAction Stop
    Import-Module -Name $ManifestPath -Force -ErrorAction Stop
    $Module = Get-Module -Name MemcacheOps
}

AfterAll {
    Remove-Module -Name MemcacheOps -Force -ErrorAction SilentlyContinue
}

Describe 'MemcacheOps module manifest' {
    It 'passes Test-ModuleManifest' {
        $Manifest | Should -Not -BeNullOrEmpty
        $Manifest.Name | Should -Be 'MemcacheOps'
    }

    It 'passes Test-ModuleManifest in the built module folder too' {
        { Test-ModuleManifest -Path $LayoutManifestPath -ErrorAction Stop } | Should -Not -Throw
    }

    It 'has the same version in the root and the built manifest' {
        (Test-ModuleManifest -Path $LayoutManifestPath).Version | Should -Be $Manifest.Version
    }

    It 'targets PowerShell 7.6 Core' {
        $Manifest.PowerShellVersion | Should -Be ([version]'7.6')
        $Manifest.CompatiblePSEditions | Should -Be @('Core')
    }

    It 'has a GUID, a description and gallery metadata' {
        $Manifest.Guid | Should -Not -Be ([guid]::Empty)
        $Manifest.Description | Should -Not -BeNullOrEmpty
        $Manifest.Tags | Should -Not -BeNullOrEmpty
        $Manifest.ProjectUri | Should -Not -BeNullOrEmpty
        $Manifest.LicenseUri | Should -Not -BeNullOrEmpty
        $Manifest.ReleaseNotes | Should -Not -BeNullOrEmpty
    }

    It 'lists cmdlets and aliases explicitly, without wildcards' {
        $data = Import-PowerShellDataFile -Path $ManifestPath
        foreach ($name in @($data.CmdletsToExport) + @($data.AliasesToExport)) {
            $name | Should -Not -Match '\*'
        }
        @($data.FunctionsToExport).Count | Should -Be 0
        @($data.VariablesToExport).Count | Should -Be 0
    }

    It 'exports every cmdlet it lists, and no other' {
        $data = Import-PowerShellDataFile -Path $ManifestPath
        $exported = @($Module.ExportedCmdlets.Keys | Sort-Object)
        $exported | Should -Be @($data.CmdletsToExport | Sort-Object)
        $implemented = @(Get-Command -Module MemcacheOps -CommandType Cmdlet | ForEach-Object Name | Sort-Object)
        $implemented | Should -Be $exported
    }

    It 'exports every alias it lists, each resolving to a MemcacheOps cmdlet' {
        $data = Import-PowerShellDataFile -Path $ManifestPath
        @($Module.ExportedAliases.Keys | Sort-Object) | Should -Be @($data.AliasesToExport | Sort-Object)
        foreach ($alias in $data.AliasesToExport) {
            (Get-Alias -Name $alias).ResolvedCommand.ModuleName | Should -Be 'MemcacheOps'
        }
    }

    It 'keeps the singular aliases the PowerShell naming guideline asks for' {
        (Get-Alias -Name Get-MemcacheKey).ResolvedCommandName | Should -Be 'Get-MemcacheKeys'
        (Get-Alias -Name Get-MemcacheStatistic).ResolvedCommandName | Should -Be 'Get-MemcacheStats'
    }

    It 'does not load System.Management.Automation from the module folder' {
        $moduleFolder = Split-Path -Path $LayoutManifestPath -Parent
        Get-ChildItem -Path $moduleFolder -Recurse -Filter 'System.Management.Automation.dll' | Should -BeNullOrEmpty
    }
}
