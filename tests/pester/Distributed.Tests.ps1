#Requires -Version 7.6
# Pester 6. The distributed warm-up through the cmdlets: Export-MemcacheData ships a dump to S3 and announces it
# on SQS, Import-MemcacheData consumes the queue, reads an S3 prefix, and takes Get-S3Object output from the
# pipeline; credentials come from $StoredAWSCredentials / $StoredAWSRegion as AWS.Tools sets them.
# It runs against the S3 and SQS emulators in tests/emulators (started here, on free loopback ports, and
# stopped by pid), or against real services when these are set:
#   MEMCACHEOPS_TEST_BUCKET        an existing bucket the tests may write to (under a fresh prefix)
#   MEMCACHEOPS_TEST_QUEUE         an existing, empty SQS queue
#   MEMCACHEOPS_TEST_ACCESS_KEY, MEMCACHEOPS_TEST_SECRET_KEY   credentials for both services
# and optionally MEMCACHEOPS_TEST_REGION (default us-east-1), MEMCACHEOPS_TEST_S3_ENDPOINT and
# MEMCACHEOPS_TEST_SQS_ENDPOINT (service URLs other than AWS's). The xunit tests in
# tests/MemcacheOps.Tests/Distributed cover the same behaviour in depth without PowerShell. Only the test that
# pipes Get-S3Object output needs AWS.Tools.S3, and it is skipped, with the reason, without it.

BeforeDiscovery {
    $HasAwsTools = [bool](Get-Module -ListAvailable -Name AWS.Tools.S3)
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-Module -Name $ManifestPath -Force -ErrorAction Stop

    # What Set-AWSCredential stores: an object whose Credentials property has GetCredentials(), returning an
    # object with AccessKey, SecretKey and Token. PowerShell classes compile to real .NET types, as AWS.Tools' are.
    class TestImmutableCredentials {
        [string] $AccessKey
        [string] $SecretKey
        [string] $Token
    }
    class TestCredentials {
        hidden [TestImmutableCredentials] $Keys
        TestCredentials([string] $accessKey, [string] $secretKey) {
            $this.Keys = [TestImmutableCredentials]@{ AccessKey = $accessKey; SecretKey = $secretKey; Token = $null }
        }
        [TestImmutableCredentials] GetCredentials() { return $this.Keys }
    }
    class TestStoredCredentials {
        [TestCredentials] $Credentials
        [string] $Name = 'pester'
    }

    $Configured = [bool]($env:MEMCACHEOPS_TEST_BUCKET -and $env:MEMCACHEOPS_TEST_QUEUE -and $env:MEMCACHEOPS_TEST_ACCESS_KEY -and $env:MEMCACHEOPS_TEST_SECRET_KEY)
    $Cloud = @{}
    if ($Configured) {
        if ($env:MEMCACHEOPS_TEST_S3_ENDPOINT) { $Cloud.EndpointUrl = $env:MEMCACHEOPS_TEST_S3_ENDPOINT }
        if ($env:MEMCACHEOPS_TEST_SQS_ENDPOINT) { $Cloud.SqsEndpointUrl = $env:MEMCACHEOPS_TEST_SQS_ENDPOINT }
        $Bucket = $env:MEMCACHEOPS_TEST_BUCKET
        $Queue = $env:MEMCACHEOPS_TEST_QUEUE
        $AccessKey = $env:MEMCACHEOPS_TEST_ACCESS_KEY
        $SecretKey = $env:MEMCACHEOPS_TEST_SECRET_KEY
        $Region = if ($env:MEMCACHEOPS_TEST_REGION) { $env:MEMCACHEOPS_TEST_REGION } else { 'us-east-1' }
    }
    else {
        $Emulators = Start-TestCloudEmulators
        $Cloud.EndpointUrl = $Emulators.S3Endpoint
        $Cloud.SqsEndpointUrl = $Emulators.SqsEndpoint
        $Bucket = $Emulators.Bucket
        $Queue = New-TestSqsQueue -Emulators $Emulators
        $AccessKey = $Emulators.AccessKey
        $SecretKey = $Emulators.SecretKey
        $Region = $Emulators.Region
    }
    $Prefix = 'memcacheops-pester/' + [guid]::NewGuid().ToString('N')
    $Work = Join-Path ([System.IO.Path]::GetTempPath()) ('memcacheops-pester-' + [guid]::NewGuid().ToString('N'))

    $Source = Start-TestMemcached
    $TargetA = Start-TestMemcached
    $TargetB = Start-TestMemcached
    $TargetC = Start-TestMemcached
    $Items = @{}
    foreach ($i in 1..300) { $Items["warm:$i"] = "value-$i-" + ('x' * $i) }
    Set-TestItem -Server $Source.Server -Items $Items -Flags 7
}

AfterAll {
    Remove-Variable -Name StoredAWSCredentials, StoredAWSRegion -Scope Global -ErrorAction SilentlyContinue
    foreach ($instance in $Source, $TargetA, $TargetB, $TargetC) { Stop-TestMemcached $instance }
    if ($Emulators) { Stop-TestCloudEmulators $Emulators }
    if ($Work -and (Test-Path $Work)) { Remove-Item -Path $Work -Recurse -Force }
    Remove-Module -Name MemcacheOps -Force -ErrorAction SilentlyContinue
}

Describe 'Distributed warm-up through the cmdlets' {
    It 'exports to S3 with credentials from $StoredAWSCredentials and announces every chunk' {
        $global:StoredAWSCredentials = [TestStoredCredentials]@{ Credentials = [TestCredentials]::new($AccessKey, $SecretKey) }
        $global:StoredAWSRegion = $Region
        $result = Export-MemcacheData -Server $Source.Server -Path (Join-Path $Work 'dump') -KeyFileSize 8192 -DataFileSize 8192 `
            -S3Bucket $Bucket -S3Prefix $Prefix -SqsQueue $Queue -RequestId 'pester' -RemoveLocal @Cloud -ErrorAction Stop
        $result.Complete | Should -BeTrue
        $result.Destination | Should -Be "s3://$Bucket/$Prefix/pester/"
        $result.Uploaded | Should -Be $result.Files
        $result.Announced | Should -Be $result.Files
    }

    It 'drains the queue with a consumer into two servers, each key to its owner' {
        $summary = Import-MemcacheData -SqsQueue $Queue -S3Bucket $Bucket -Server $TargetA.Server, $TargetB.Server `
            -IdleTimeout 5 -WorkFolder $Work @Cloud -ErrorAction Stop | Where-Object { $_ -is [MemcacheOps.Engine.Distributed.QueueConsumerResult] }
        $summary.Success | Should -BeTrue
        $summary.Stored | Should -Be $Items.Count
        ((Get-MemcacheStats -Server $TargetA.Server).CurrentItems + (Get-MemcacheStats -Server $TargetB.Server).CurrentItems) | Should -Be $Items.Count
    }

    It 'imports an S3 prefix' {
        $result = Import-MemcacheData -Path "s3://$Bucket/$Prefix/pester/" -Server $TargetC.Server @Cloud -ErrorAction Stop
        $result.Stored | Should -Be $Items.Count
    }

    It 'imports Get-S3Object output piped in by BucketName and Key (needs AWS.Tools.S3, skipped without it)' -Skip:(-not $HasAwsTools) {
        Import-Module AWS.Tools.S3 -ErrorAction Stop
        $s3 = @{}
        if ($Cloud.EndpointUrl) { $s3.EndpointUrl = $Cloud.EndpointUrl; $s3.ForcePathStyleAddressing = $true }
        $fresh = Start-TestMemcached
        try {
            $result = Get-S3Object -BucketName $Bucket -KeyPrefix "$Prefix/pester/" -AccessKey $AccessKey -SecretKey $SecretKey @s3 |
                Import-MemcacheData -Server $fresh.Server @Cloud -ErrorAction Stop
            $result.Stored | Should -Be $Items.Count
        }
        finally {
            Stop-TestMemcached $fresh
        }
    }

    It 'reports a missing queue before any work starts' {
        $empty = Start-TestMemcached
        try {
            { Import-MemcacheData -SqsQueue 'memcacheops-no-such-queue' -S3Bucket $Bucket -Server $empty.Server -IdleTimeout 0 @Cloud -ErrorAction Stop } |
                Should -Throw -ErrorId 'SqsQueueNotFound*'
            (Get-MemcacheStats -Server $empty.Server).CurrentItems | Should -Be 0
        }
        finally {
            Stop-TestMemcached $empty
        }
    }
}
