<#
.SYNOPSIS
    Dumps a cache node to S3 every night and keeps 7 days of dumps.
.DESCRIPTION
    Export-MemcacheData uploads each data file as soon as it is complete and announces it on SQS, so
    importers elsewhere can start before the dump ends; -RemoveLocal keeps the local disk use bounded.
    Retention removes dumps older than -KeepDays with AWS.Tools.S3 (Get-S3Object / Remove-S3Object).
    Credentials come from the usual AWS chain (or -ProfileName).
.EXAMPLE
    ./Nightly-DumpToS3.ps1 -Server cache-07:11211 -Bucket my-cache-dumps -Queue cache-warmup -ProfileName ops
#>
param(
    [Parameter(Mandatory)] [string] $Server,
    [Parameter(Mandatory)] [string] $Bucket,
    [Parameter(Mandatory)] [string] $Queue,
    [string] $Prefix = 'nightly',
    [string] $ProfileName,
    [string] $Region = 'us-east-1',
    [int] $KeepDays = 7,
    # An S3-compatible service or VPC endpoint instead of AWS's (and SQS's, unless -SqsEndpointUrl is given).
    [string] $EndpointUrl,
    [string] $SqsEndpointUrl
)
$ErrorActionPreference = 'Stop'
Import-Module MemcacheOps
$requestId = '{0}-{1:yyyyMMdd}' -f ($Server -replace '[:.]', '-'), (Get-Date)
$work = Join-Path ([IO.Path]::GetTempPath()) $requestId
$aws = @{ Region = $Region }
if ($ProfileName) { $aws.ProfileName = $ProfileName }
if ($EndpointUrl) { $aws.EndpointUrl = $EndpointUrl }
if ($SqsEndpointUrl) { $aws.SqsEndpointUrl = $SqsEndpointUrl }

$result = Export-MemcacheData -Server $Server -Path $work -RequestId $requestId -S3Bucket $Bucket -S3Prefix $Prefix `
    -SqsQueue $Queue -RemoveLocal -MaxOpsPerSecond 40000 @aws
$result | Format-Table
if (-not $result.Complete) { throw "The dump $requestId is incomplete: $($result.Notes -join '; ')" }

if (Get-Command Get-S3Object -ErrorAction SilentlyContinue) {
    # Retention needs AWS.Tools.S3; without it the dump is still made and shipped.
    $cutoff = (Get-Date).AddDays(-$KeepDays)
    Get-S3Object -BucketName $Bucket -KeyPrefix "$Prefix/" -Region $Region |
        Where-Object LastModified -lt $cutoff |
        ForEach-Object { Remove-S3Object -BucketName $Bucket -Key $_.Key -Region $Region -Force }
}
