<#
.SYNOPSIS
    Runs one importer that warms a ring of nodes from dump chunks announced on SQS.
.DESCRIPTION
    Start this on as many hosts as you like: they share the queue. Each message names one data file in
    S3; the importer downloads it into its own work folder, verifies its checksum, writes every key to
    its owner on the ketama ring of -Server (mode Add keeps what live traffic wrote), and deletes the
    message only after success. It stops when the queue has been empty for -IdleTimeout seconds.
.EXAMPLE
    ./Populate-FromSqs.ps1 -Queue cache-warmup -Bucket my-cache-dumps -Ring new-a:11211, new-b:11211
#>
param(
    [Parameter(Mandatory)] [string] $Queue,
    [Parameter(Mandatory)] [string] $Bucket,
    [Parameter(Mandatory)] [string[]] $Ring,
    [string] $Region = 'us-east-1',
    [int] $IdleTimeout = 300,
    [string] $ProfileName,
    # An S3-compatible service or VPC endpoint instead of AWS's (and SQS's, unless -SqsEndpointUrl is given).
    [string] $EndpointUrl,
    [string] $SqsEndpointUrl
)
$ErrorActionPreference = 'Stop'
Import-Module MemcacheOps
$aws = @{ Region = $Region }
if ($ProfileName) { $aws.ProfileName = $ProfileName }
if ($EndpointUrl) { $aws.EndpointUrl = $EndpointUrl }
if ($SqsEndpointUrl) { $aws.SqsEndpointUrl = $SqsEndpointUrl }

$result = Import-MemcacheData -SqsQueue $Queue -S3Bucket $Bucket -Server $Ring -IdleTimeout $IdleTimeout -MaxOpsPerSecond 20000 @aws
$result | Format-Table
if (-not $result.Success) { throw "Some chunks were not imported: $($result.Notes -join '; ')" }
