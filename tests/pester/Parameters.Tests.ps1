#Requires -Version 7.6
# Pester 6. Each cmdlet's parameters as users see them through Get-Command: names, types, mandatory.
# A cmdlet added to the module without an entry in $Expected fails, so this table stays the reviewed
# description of the module's surface. Common and ShouldProcess parameters are left out.

BeforeDiscovery {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-Module -Name $ManifestPath -Force -ErrorAction Stop
    $CmdletNames = @(Get-Command -Module MemcacheOps -CommandType Cmdlet | ForEach-Object Name)
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-Module -Name $ManifestPath -Force -ErrorAction Stop

    $Skipped = [System.Management.Automation.PSCmdlet]::CommonParameters + [System.Management.Automation.PSCmdlet]::OptionalCommonParameters

    # Name = type, 'Mandatory' marks parameters mandatory in at least one parameter set.
    $Expected = @{
        'Get-MemcacheCluster' = @{
            DiscoveryEndpoint = @('string[]', 'Mandatory')
            ConnectTimeout    = @('double')
            Timeout           = @('double')
        }
        'Get-MemcacheStats' = @{
            Server         = @('string[]', 'Mandatory')
            Group          = @('MemcacheOps.Engine.Stats.StatsGroup')
            Interval       = @('double')
            Count          = @('int')
            ConnectTimeout = @('double')
            Timeout        = @('double')
        }
        'Get-MemcacheKeys'  = @{
            Server         = @('string[]', 'Mandatory')
            Pattern        = @('string')
            Regex          = @('switch')
            Exclude        = @('string')
            SlabClass      = @('int[]')
            ExpiringBefore = @('Nullable[datetime]')
            ExpiringAfter  = @('Nullable[datetime]')
            First          = @('long')
            CountOnly      = @('switch')
            Method         = @('MemcacheOps.Engine.Listing.ListingMethod')
            SpillDirectory = @('string')
            ConnectTimeout = @('double')
            Timeout        = @('double')
        }
        'Export-MemcacheData' = @{
            Server            = @('string[]', 'Mandatory')
            InputObject       = @('MemcacheOps.Engine.Listing.MemcacheKeyInfo[]', 'Mandatory')
            Path              = @('string', 'Mandatory')
            ConfigFile        = @('string', 'Mandatory')
            Connections       = @('int')
            BatchSize         = @('int')
            Window            = @('int')
            MemoryLimit       = @('long')
            KeyFileSize       = @('long')
            DataFileSize      = @('long')
            OnlyExpireAfter   = @('long')
            RequestId         = @('string')
            Resume            = @('switch')
            Force             = @('switch')
            Include           = @('string')
            Exclude           = @('string')
            Regex             = @('switch')
            RingServer        = @('string[]')
            DestinationServer = @('string[]')
            PointsPerServer   = @('int')
            RingForm          = @('MemcacheOps.Engine.Routing.RingForm')
            HashSalt          = @('string')
            HashWeight        = @('double[]')
            Key               = @('string[]', 'Mandatory')
            KeyFile           = @('string')
            Layout            = @('MemcacheOps.Engine.Export.DumpLayout')
            Checksum          = @('MemcacheOps.Engine.Dump.ChecksumAlgorithm')
            MaxOpsPerSecond   = @('double')
            MaxBytesPerSecond = @('double')
            Method            = @('MemcacheOps.Engine.Listing.ListingMethod')
            S3Bucket          = @('string')
            S3Prefix          = @('string')
            SqsQueue          = @('string')
            RemoveLocal       = @('switch')
            ProfileName       = @('string')
            ProfileLocation   = @('string')
            Region            = @('string')
            AccessKey         = @('string')
            SecretKey         = @('string')
            SessionToken      = @('string')
            EndpointUrl       = @('string')
            SqsEndpointUrl    = @('string')
            ConnectTimeout    = @('double')
            Timeout           = @('double')
        }
        'Import-MemcacheData' = @{
            Path              = @('string[]', 'Mandatory')
            BucketName        = @('string', 'Mandatory')
            Key               = @('string', 'Mandatory')
            SqsQueue          = @('string', 'Mandatory')
            S3Bucket          = @('string[]')
            S3Prefix          = @('string')
            MaxReceiveCount   = @('int')
            IdleTimeout       = @('double')
            VisibilityTimeout = @('double')
            WorkFolder        = @('string')
            Server            = @('string[]', 'Mandatory')
            Mode              = @('MemcacheOps.Engine.Storing.StoreMode')
            SkipChecksum      = @('switch')
            MinimumTtl        = @('long')
            TtlOverride       = @('long')
            AllowIncomplete   = @('switch')
            RingForm          = @('MemcacheOps.Engine.Routing.RingForm')
            HashSalt          = @('string')
            HashWeight        = @('double[]')
            PointsPerServer   = @('int')
            Connections       = @('int')
            BatchSize         = @('int')
            Window            = @('int')
            FileParallelism   = @('int')
            MaxOpsPerSecond   = @('double')
            MaxBytesPerSecond = @('double')
            ProfileName       = @('string')
            ProfileLocation   = @('string')
            Region            = @('string')
            AccessKey         = @('string')
            SecretKey         = @('string')
            SessionToken      = @('string')
            EndpointUrl       = @('string')
            SqsEndpointUrl    = @('string')
            ConnectTimeout    = @('double')
            Timeout           = @('double')
        }
        'Compare-MemcacheData' = @{
            Reference         = @('string[]')
            Difference        = @('string[]')
            ReferencePath     = @('string')
            DifferencePath    = @('string')
            Sample            = @('double')
            Summary           = @('switch')
            TtlTolerance      = @('long')
            RingForm          = @('MemcacheOps.Engine.Routing.RingForm')
            HashSalt          = @('string')
            HashWeight        = @('double[]')
            PointsPerServer   = @('int')
            Connections       = @('int')
            BatchSize         = @('int')
            Window            = @('int')
            MaxOpsPerSecond   = @('double')
            MaxBytesPerSecond = @('double')
            Key               = @('string[]', 'Mandatory')
            KeyFile           = @('string')
            ConnectTimeout    = @('double')
            Timeout           = @('double')
        }
        'Test-MemcacheNode' = @{
            Server         = @('string[]', 'Mandatory')
            IncludeSlow    = @('switch')
            Destructive    = @('switch')
            Quiet          = @('switch')
            ConnectTimeout = @('double')
            Timeout        = @('double')
        }
        'Move-MemcacheNode' = @{
            Source            = @('string[]', 'Mandatory')
            Destination       = @('string[]', 'Mandatory')
            RingServer        = @('string[]')
            OldRingServer     = @('string[]')
            OnlyMoved         = @('switch')
            Mode              = @('MemcacheOps.Engine.Storing.StoreMode')
            SyncDeletes       = @('switch')
            Passes            = @('int')
            ChangeThreshold   = @('long')
            Deadline          = @('double')
            Continuous        = @('switch')
            PassInterval      = @('double')
            MaxOpsPerSecond   = @('double')
            MaxBytesPerSecond = @('double')
            Force             = @('switch')
            EvictionPolicy    = @('MemcacheOps.Engine.Move.MoveEvictionPolicy')
            RingForm          = @('MemcacheOps.Engine.Routing.RingForm')
            HashSalt          = @('string')
            HashWeight        = @('double[]')
            PointsPerServer   = @('int')
            Connections       = @('int')
            BatchSize         = @('int')
            Window            = @('int')
            Key               = @('string[]', 'Mandatory')
            KeyFile           = @('string')
            ConnectTimeout    = @('double')
            Timeout           = @('double')
        }
        'Measure-MemcacheLatency' = @{
            Server             = @('string[]', 'Mandatory')
            TargetRate         = @('double')
            Duration           = @('double')
            Connections        = @('int')
            Pipeline           = @('int')
            Mix                = @('string')
            KeyCount           = @('int')
            KeyDistribution    = @('MemcacheOps.Engine.Verification.Latency.KeyDistribution')
            ValueSize          = @('string')
            TimeToLive         = @('int')
            VerifyPercent      = @('double')
            IntervalSeconds    = @('double')
            HistogramPath      = @('string')
            MaxP99Milliseconds = @('double')
            MinRate            = @('double')
            MaxErrorRate       = @('double')
            ConnectTimeout     = @('double')
            Timeout            = @('double')
        }
    }

    # TLS and authentication: every cmdlet has them, from the shared base class.
    $Secured = @{
        Tls                      = @('switch')
        TlsServerName            = @('string')
        TlsCaFile                = @('string')
        TlsClientCertificateFile = @('string')
        TlsClientKeyFile         = @('string')
        SkipCertificateCheck     = @('switch')
        Credential               = @('pscredential')
    }
    foreach ($name in @($Expected.Keys)) {
        foreach ($parameter in $Secured.Keys) {
            if (-not $Expected[$name].ContainsKey($parameter)) { $Expected[$name][$parameter] = $Secured[$parameter] }
        }
    }
}

AfterAll {
    Remove-Module -Name MemcacheOps -Force -ErrorAction SilentlyContinue
}

Describe 'Parameters of <_>' -ForEach $CmdletNames {
    BeforeAll {
        $Name = $_
        $Command = Get-Command -Name $Name -CommandType Cmdlet
        $Actual = @($Command.Parameters.Values | Where-Object { $_.Name -notin $Skipped -and $_.Name -notin 'WhatIf', 'Confirm' })
    }

    It 'is described here' {
        $Expected.ContainsKey($Name) | Should -BeTrue -Because "add the parameters of $Name to `$Expected in Parameters.Tests.ps1"
    }

    It 'has exactly the expected parameter names' {
        @($Actual.Name | Sort-Object) | Should -Be @($Expected[$Name].Keys | Sort-Object)
    }

    It 'has the expected parameter types' {
        foreach ($parameter in $Actual) {
            $Expected[$Name].ContainsKey($parameter.Name) | Should -BeTrue -Because "-$($parameter.Name) should be in `$Expected['$Name']"
            $parameter.ParameterType | Should -Be ([type]$Expected[$Name][$parameter.Name][0]) -Because "-$($parameter.Name) type"
        }
    }

    It 'has the expected mandatory parameters' {
        foreach ($parameter in $Actual) {
            $mandatory = [bool]($parameter.Attributes | Where-Object { $_ -is [System.Management.Automation.ParameterAttribute] -and $_.Mandatory })
            $mandatory | Should -Be ($Expected[$Name][$parameter.Name] -contains 'Mandatory') -Because "-$($parameter.Name) mandatory"
        }
    }

    It 'takes pipeline input in every parameter set' {
        foreach ($set in $Command.ParameterSets) {
            @($set.Parameters | Where-Object { $_.ValueFromPipeline -or $_.ValueFromPipelineByPropertyName }).Count |
                Should -BeGreaterThan 0 -Because "parameter set $($set.Name) should accept pipeline input"
        }
    }

    It 'supports -WhatIf and -Confirm when its verb changes state' {
        if ($Command.Verb -in 'Export', 'Import', 'Move') {
            $Command.Parameters.Keys | Should -Contain 'WhatIf'
            $Command.Parameters.Keys | Should -Contain 'Confirm'
        }
    }
}

Describe 'Export-MemcacheData -ConfigFile' {
    It 'has its own parameter set where -Server and -Path are optional' {
        $command = Get-Command -Name Export-MemcacheData -CommandType Cmdlet
        $set = $command.ParameterSets | Where-Object Name -EQ 'ConfigFile'
        $set | Should -Not -BeNullOrEmpty
        $configFile = $set.Parameters | Where-Object Name -EQ 'ConfigFile'
        $configFile.IsMandatory | Should -BeTrue
        $configFile.ValueFromPipelineByPropertyName | Should -BeTrue
        ($set.Parameters | Where-Object Name -EQ 'Server').IsMandatory | Should -BeFalse
        ($set.Parameters | Where-Object Name -EQ 'Path').IsMandatory | Should -BeFalse
        $command.Parameters['ConfigFile'].Aliases | Should -Contain 'Config'
        $command.DefaultParameterSet | Should -Be 'Server'
    }
}

Describe 'Import-MemcacheData parameter sets for S3' {
    BeforeAll {
        $Sets = @{}
        foreach ($set in (Get-Command -Name Import-MemcacheData -CommandType Cmdlet).ParameterSets) { $Sets[$set.Name] = $set }
    }

    It 'binds Get-S3Object output by its BucketName and Key properties' {
        foreach ($name in 'BucketName', 'Key') {
            $parameter = $Sets['S3Object'].Parameters | Where-Object Name -eq $name
            $parameter.IsMandatory | Should -BeTrue
            $parameter.ValueFromPipelineByPropertyName | Should -BeTrue
        }
    }

    It 'picks the S3Object set for objects shaped like Get-S3Object output (-WhatIf contacts nothing)' {
        $objects = @(
            [pscustomobject]@{ BucketName = 'warmup-chunks'; Key = 'evcache/r1/manifest.json'; Size = 10; ETag = '"x"'; StorageClass = 'STANDARD' }
            [pscustomobject]@{ BucketName = 'warmup-chunks'; Key = 'evcache/r1/a_000000_000.v0'; Size = 10; ETag = '"y"'; StorageClass = 'STANDARD' }
        )
        { $objects | Import-MemcacheData -Server '127.0.0.1:1' -WhatIf -ErrorAction Stop } | Should -Not -Throw
    }

    It 'keeps the consumer options to the SqsQueue set' {
        foreach ($name in 'S3Bucket', 'S3Prefix', 'MaxReceiveCount', 'IdleTimeout', 'VisibilityTimeout') {
            @($Sets['SqsQueue'].Parameters.Name) | Should -Contain $name
            @($Sets['Path'].Parameters.Name) | Should -Not -Contain $name
        }
    }
}
