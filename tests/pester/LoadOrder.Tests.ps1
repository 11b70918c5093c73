#Requires -Version 7.6
# Pester 6. MemcacheOps keeps its AWSSDK and YamlDotNet in a private load context, so other copies in the
# session (AWS.Tools brings AWSSDK.Core, other modules bring their YamlDotNet) never clash with them. Proven
# without AWS.Tools: in fresh `pwsh -NoProfile -NonInteractive` sessions, an older AWSSDK.Core (3.7) and an
# older YamlDotNet (11) are loaded with Add-Type before, or after, the module is imported; then the cmdlets
# that use YAML (Export-MemcacheData -ConfigFile) and S3 (an export shipped to S3, imported back from it) run
# against memcached and the S3/SQS emulators, and every copy's load context is checked. Also Remove-Module,
# then import again in the same session. The older assemblies come from NuGet (tools/TestDownloads).
# The tests with AWS.Tools.S3 itself are skipped, with the reason, when it is not installed.

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-Module -Name $ManifestPath -Force -ErrorAction Stop

    # The older builds, restored into the NuGet packages folder by tools/TestDownloads (restored here if missing).
    $downloads = Join-Path $RepositoryRoot 'tools' 'TestDownloads' 'TestDownloads.csproj'
    $packages = ((& dotnet nuget locals global-packages --list) -replace '^global-packages:\s*', '').Trim()
    $OldAwsCore = Join-Path $packages 'awssdk.core' '3.7.402' 'lib' 'net8.0' 'AWSSDK.Core.dll'
    $OldYaml = Join-Path $packages 'yamldotnet' '11.2.1' 'lib' 'netstandard2.1' 'YamlDotNet.dll'
    if (-not ((Test-Path $OldAwsCore) -and (Test-Path $OldYaml))) {
        & dotnet restore $downloads -nologo -v q | Out-Null
    }
    foreach ($file in $OldAwsCore, $OldYaml) {
        if (-not (Test-Path $file)) { throw "$file is missing after 'dotnet restore $downloads' (it downloads the older AWSSDK.Core and YamlDotNet)." }
    }

    $Cloud = Start-TestCloudEmulators
    $Source = Start-TestMemcached
    $Folder = New-TestFolder -Name 'memcacheops-loadorder'
    Add-TestItems -Server $Source.Server -Count 200 -Prefix 'load:' -ValueSize 30 -Flags 4

    # One fresh session: loads the older copies where -Order says, then uses the YAML and S3 cmdlets and reports
    # the version and load context of every AWSSDK.Core, YamlDotNet and MemcacheOps assembly it holds.
    function Invoke-FreshSession([ValidateSet('Before', 'After', 'Reimport')] [string] $Order) {
        $work = Join-Path $Folder $Order
        $null = New-Item -ItemType Directory -Path $work -Force
        $config = Join-Path $work 'cachemover.yaml'
        Set-Content -Path $config -Value @('ip: "127.0.0.1"', "port: $($Source.Port)", "output_dir: `"$(Join-Path $work 'from-yaml')`"", 'threads: 2')
        $addOld = "Add-Type -Path '$OldAwsCore'; Add-Type -Path '$OldYaml'"
        function Get-UseScript([string] $Tag) {
            @"
`$yaml = Export-MemcacheData -ConfigFile '$config' -Force -ErrorAction Stop
`$s3 = Export-MemcacheData -Server '$($Source.Server)' -Path '$(Join-Path $work "to-s3-$Tag")' -S3Bucket '$($Cloud.Bucket)' -S3Prefix '$Order-$Tag' -RequestId 'r1' -EndpointUrl '$($Cloud.S3Endpoint)' -AccessKey '$($Cloud.AccessKey)' -SecretKey '$($Cloud.SecretKey)' -Region '$($Cloud.Region)' -ErrorAction Stop
`$back = Import-MemcacheData -Path 's3://$($Cloud.Bucket)/$Order-$Tag/r1/' -Server '$($Source.Server)' -EndpointUrl '$($Cloud.S3Endpoint)' -AccessKey '$($Cloud.AccessKey)' -SecretKey '$($Cloud.SecretKey)' -Region '$($Cloud.Region)' -ErrorAction Stop
"@
        }
        $steps = switch ($Order) {
            'Before' { $addOld, 'Import-Module MemcacheOps -ErrorAction Stop', (Get-UseScript 'a') }
            'After' { 'Import-Module MemcacheOps -ErrorAction Stop', $addOld, (Get-UseScript 'a') }
            'Reimport' {
                'Import-Module MemcacheOps -ErrorAction Stop', $addOld, (Get-UseScript 'a'),
                'Remove-Module MemcacheOps -ErrorAction Stop', 'Import-Module MemcacheOps -ErrorAction Stop', (Get-UseScript 'b')
            }
        }
        $report = @'
$assemblies = foreach ($assembly in [AppDomain]::CurrentDomain.GetAssemblies()) {
    $name = $assembly.GetName().Name
    if ($name -in 'AWSSDK.Core', 'AWSSDK.S3', 'YamlDotNet', 'MemcacheOps.Engine', 'MemcacheOps.Adapters') {
        [pscustomobject]@{ Name = $name; Version = $assembly.GetName().Version.ToString(); Context = [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($assembly).Name; Location = $assembly.Location }
    }
}
'REPORT ' + ([pscustomobject]@{ YamlDumped = $yaml.Dumped; S3Complete = $s3.Complete; S3Uploaded = $s3.Uploaded; Imported = $back.Stored + $back.AlreadyPresent; Assemblies = @($assemblies) } | ConvertTo-Json -Compress -Depth 4)
'@
        $run = Invoke-TestPwsh -Script ((@('$ErrorActionPreference = ''Stop''') + $steps + $report) -join "`n") -Environment @{ AWS_EC2_METADATA_DISABLED = 'true' }
        $line = $run.Output -split "`r?`n" | Where-Object { $_.StartsWith('REPORT ') } | Select-Object -Last 1
        [pscustomobject]@{ ExitCode = $run.ExitCode; Text = $run.Text; Report = if ($line) { $line.Substring(7) | ConvertFrom-Json } }
    }
}

AfterAll {
    Stop-TestMemcached $Source
    Stop-TestCloudEmulators $Cloud
    if ($Folder) { Remove-Item -Path $Folder -Recurse -Force -ErrorAction SilentlyContinue }
    Remove-Module -Name MemcacheOps -Force -ErrorAction SilentlyContinue
}

Describe 'Older AWSSDK.Core and YamlDotNet loaded <_> MemcacheOps' -ForEach 'Before', 'After' {
    BeforeAll {
        $Result = Invoke-FreshSession -Order $_
        $Assemblies = @($Result.Report.Assemblies)
    }

    It 'runs the session to its end' {
        $Result.ExitCode | Should -Be 0 -Because $Result.Text
        $Result.Report | Should -Not -BeNullOrEmpty -Because $Result.Text
    }

    It 'reads a cachemover YAML file (Export-MemcacheData -ConfigFile)' {
        $Result.Report.YamlDumped | Should -Be 200
    }

    It 'ships a dump to S3 and imports it back' {
        $Result.Report.S3Complete | Should -BeTrue
        $Result.Report.S3Uploaded | Should -BeGreaterOrEqual 1
        $Result.Report.Imported | Should -Be 200
    }

    It 'leaves the older copies in the default context, where they were loaded' {
        @($Assemblies | Where-Object { $_.Name -eq 'AWSSDK.Core' -and $_.Version -like '3.*' -and $_.Context -eq 'Default' }).Count | Should -Be 1
        @($Assemblies | Where-Object { $_.Name -eq 'YamlDotNet' -and $_.Version -like '11.*' -and $_.Context -eq 'Default' }).Count | Should -Be 1
    }

    It 'uses its own AWSSDK.Core, AWSSDK.S3 and YamlDotNet from its private context' {
        $private = @($Assemblies | Where-Object Context -EQ 'MemcacheOps.Adapters')
        @($private | Where-Object { $_.Name -eq 'AWSSDK.Core' -and $_.Version -like '4.*' }).Count | Should -Be 1
        @($private | Where-Object Name -EQ 'AWSSDK.S3').Count | Should -Be 1
        @($private | Where-Object { $_.Name -eq 'YamlDotNet' -and [version]$_.Version -ge [version]'16.0' }).Count | Should -Be 1
        @($private | Where-Object Name -EQ 'MemcacheOps.Adapters').Count | Should -Be 1
        foreach ($assembly in $private) { $assembly.Location | Should -Match ([regex]::Escape([IO.Path]::DirectorySeparatorChar + 'dependencies' + [IO.Path]::DirectorySeparatorChar)) }
    }

    It 'shares one engine between the cmdlets and the adapters (in the default context)' {
        @($Assemblies | Where-Object Name -EQ 'MemcacheOps.Engine').Count | Should -Be 1
        ($Assemblies | Where-Object Name -EQ 'MemcacheOps.Engine').Context | Should -Be 'Default'
    }
}

Describe 'Remove-Module, then Import-Module again in the same session' {
    BeforeAll {
        $Result = Invoke-FreshSession -Order 'Reimport'
    }

    It 'works again after the module is removed and imported anew' {
        $Result.ExitCode | Should -Be 0 -Because $Result.Text
        $Result.Report.YamlDumped | Should -Be 200
        $Result.Report.S3Complete | Should -BeTrue
        $Result.Report.Imported | Should -Be 200
    }

    It 'still keeps the older copies apart from the module''s' {
        $assemblies = @($Result.Report.Assemblies)
        @($assemblies | Where-Object { $_.Name -eq 'AWSSDK.Core' -and $_.Context -eq 'Default' -and $_.Version -like '3.*' }).Count | Should -Be 1
        @($assemblies | Where-Object { $_.Name -eq 'AWSSDK.Core' -and $_.Context -eq 'MemcacheOps.Adapters' }).Count | Should -BeGreaterOrEqual 1
        @($assemblies | Where-Object { $_.Name -eq 'YamlDotNet' -and $_.Context -eq 'Default' -and $_.Version -like '11.*' }).Count | Should -Be 1
    }
}

Describe 'Loading next to AWS.Tools.S3' {
    BeforeAll {
        $HasAwsTools = [bool](Get-Module -ListAvailable -Name AWS.Tools.S3)
        $SkipReason = 'AWS.Tools.S3 is not installed on this machine (Install-PSResource AWS.Tools.S3 to run these); the Add-Type tests above prove the isolation without it'
    }

    It 'works with AWS.Tools.S3 imported first, then MemcacheOps (needs AWS.Tools.S3)' {
        if (-not $HasAwsTools) { Set-ItResult -Skipped -Because $SkipReason; return }
        $run = Invoke-TestPwsh -Script "Import-Module AWS.Tools.S3; Import-Module MemcacheOps; `$null = Get-AWSRegion; Export-MemcacheData -ConfigFile '$(Join-Path $Folder 'Before' 'cachemover.yaml')' -Force | Out-Null; 'ok'"
        $run.ExitCode | Should -Be 0 -Because $run.Text
        $run.Output | Should -Match 'ok'
    }

    It 'works with MemcacheOps imported first, then AWS.Tools.S3 (needs AWS.Tools.S3)' {
        if (-not $HasAwsTools) { Set-ItResult -Skipped -Because $SkipReason; return }
        $run = Invoke-TestPwsh -Script "Import-Module MemcacheOps; Import-Module AWS.Tools.S3; `$null = Get-AWSRegion; Export-MemcacheData -ConfigFile '$(Join-Path $Folder 'Before' 'cachemover.yaml')' -Force | Out-Null; 'ok'"
        $run.ExitCode | Should -Be 0 -Because $run.Text
        $run.Output | Should -Match 'ok'
    }
}
