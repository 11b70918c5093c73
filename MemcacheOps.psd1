#
# MemcacheOps module manifest: the single source of the module's version and exports.
#
# - The build reads ModuleVersion from this file and stamps it into every assembly (Directory.Build.props).
# - The build writes a copy of this file into the importable module folder artifacts/module/MemcacheOps/,
#   with that folder's prefix removed from every quoted path, so the same manifest works
#   both here (Import-Module ./MemcacheOps.psd1 from the repository root, after `dotnet build MemcacheOps.sln`)
#   and in the installed module.
# - The compiled cmdlets are a nested module, so Get-Help finds en-US/MemcacheOps.Cmdlets.dll-help.xml next
#   to the DLL in both places.
# - CmdletsToExport and AliasesToExport are explicit (no wildcards); a contract test checks that they equal
#   the [Cmdlet] and [Alias] attributes compiled into MemcacheOps.Cmdlets.dll.
#
@{
    ModuleVersion        = '0.1.0'
    GUID                 = '49e8db25-2745-4778-a1be-a83dc7328f99'
    Author               = 'MemcacheOps contributors'
    CompanyName          = 'MemcacheOps'
    Copyright            = '(c) MemcacheOps contributors. All rights reserved.'
    Description          = 'Operate memcached fleets from PowerShell: read server statistics, list keys, dump every item to disk or S3, repopulate servers, migrate nodes live and verify the result. Compiled cmdlets over a fast engine; AWS and YAML libraries are isolated so the module loads beside AWS.Tools.'
    PowerShellVersion    = '7.6'
    CompatiblePSEditions = @('Core')
    NestedModules        = @('artifacts/module/MemcacheOps/MemcacheOps.Cmdlets.dll')
    FormatsToProcess     = @('artifacts/module/MemcacheOps/MemcacheOps.Format.ps1xml')
    FunctionsToExport    = @()
    CmdletsToExport      = @(
        'Export-MemcacheData'
        'Get-MemcacheKeys'
        'Get-MemcacheStats'
        'Import-MemcacheData'
        'Compare-MemcacheData'
        'Move-MemcacheNode'
        'Test-MemcacheNode'
        'Measure-MemcacheLatency'
        'Get-MemcacheCluster'
    )
    VariablesToExport    = @()
    AliasesToExport      = @(
        'Get-MemcacheKey'
        'Get-MemcacheStatistic'
    )
    PrivateData          = @{
        PSData = @{
            Tags         = @('memcached', 'memcache', 'cache', 'migration', 'backup', 'restore', 'S3', 'PSEdition_Core', 'Linux', 'Windows', 'MacOS')
            ProjectUri   = 'https://github.com/MemcacheOps/MemcacheOps'
            LicenseUri   = 'https://github.com/MemcacheOps/MemcacheOps/blob/main/LICENSE'
            ReleaseNotes = 'First preview: Get-MemcacheStats, Get-MemcacheKeys, Export-MemcacheData (also from cachemover configuration files), Import-MemcacheData, Compare-MemcacheData and Move-MemcacheNode; table views, full help, AWS/YAML dependency isolation.'
        }
    }
}
