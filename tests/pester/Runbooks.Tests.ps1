#Requires -Version 7.6
# Pester 6. Every runbook in examples/ run end to end, as an operator runs it: a fresh pwsh that imports
# MemcacheOps by name, against real memcached processes (and the S3/SQS emulators for the cloud runbooks), with
# the result checked against what docs/runbooks.md says the runbook does. Unattended runs pass -Confirm:$false,
# as docs/runbooks.md tells (Move-MemcacheNode asks before writing into live servers).

BeforeDiscovery {
    $Runbooks = @(Get-ChildItem -Path (Join-Path $PSScriptRoot '..' '..' 'examples') -Filter '*.ps1' | ForEach-Object Name)
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-Module -Name $ManifestPath -Force -ErrorAction Stop
    $Examples = Join-Path $RepositoryRoot 'examples'
    $Folder = New-TestFolder -Name 'memcacheops-runbooks'
    $Started = [System.Collections.Generic.List[object]]::new()
    function New-Node { $node = Start-TestMemcached; $Started.Add($node); $node }

    # The reference data set every runbook moves: one server holding it all.
    $Seed = New-Node
    Add-TestItems -Server $Seed.Server -Count 3000 -Prefix 'rb:user:' -ValueSize 120 -Flags 77
    Add-TestItems -Server $Seed.Server -Count 500 -Prefix 'rb:session:' -ValueSize 40 -Flags 3 -TimeToLive 7200
    $SeedDump = Join-Path $Folder 'seed'
    $null = Export-MemcacheData -Server $Seed.Server -Path $SeedDump -ErrorAction Stop
    $Total = 3500

    function Invoke-Runbook([string] $Name, [string] $Arguments, [hashtable] $Environment = @{}, [int] $TimeoutSeconds = 180) {
        $path = Join-Path $Examples $Name
        Invoke-TestPwsh -Script "& '$path' $Arguments" -Environment $Environment -TimeoutSeconds $TimeoutSeconds
    }

    function Assert-Holds([string[]] $Ring) {
        # Every reference item is on its ketama owner in $Ring with the same value, flags and TTL.
        $summary = Compare-MemcacheData -Reference $Seed.Server -Difference $Ring -Summary -ErrorAction Stop
        $summary.Missing | Should -Be 0 -Because "every key should be on its owner in $($Ring -join ',')"
        $summary.ValueMismatch + $summary.FlagsMismatch + $summary.TtlMismatch | Should -Be 0
        $summary.Compared | Should -Be $Total
    }
}

AfterAll {
    foreach ($node in $Started) { Stop-TestMemcached $node }
    if ($Folder) { Remove-Item -Path $Folder -Recurse -Force -ErrorAction SilentlyContinue }
    Remove-Module -Name MemcacheOps -Force -ErrorAction SilentlyContinue
}

Describe 'examples/' {
    It '<_> is explained in docs/runbooks.md and run by this suite' -ForEach $Runbooks {
        Get-Content -Raw -Path (Join-Path $RepositoryRoot 'docs' 'runbooks.md') | Should -Match ([regex]::Escape($_))
        Get-Content -Raw -Path $PSCommandPath | Should -Match ("(Describe|Context) '" + [regex]::Escape($_) + "'")
    }
}

Describe 'Quickstart.ps1' {
    It 'copies a server to another through a dump, proves it with Compare-MemcacheData and stops both servers' {
        $run = Invoke-Runbook 'Quickstart.ps1' '-Items 500'
        $run.ExitCode | Should -Be 0 -Because $run.Text
        $run.Output | Should -Match 'No differences: 127\.0\.0\.1:\d+ holds all 500 items'
        $run.Output | Should -Match 'Stopped both memcached processes'
        $pids = [regex]::Matches($run.Output, '\(pid (\d+)\)') | ForEach-Object { [int]$_.Groups[1].Value }
        $pids.Count | Should -Be 2
        foreach ($id in $pids) { Get-Process -Id $id -ErrorAction SilentlyContinue | Should -BeNullOrEmpty }
    }
}

Describe 'Replace-Node.ps1' {
    It 'copies every item of the old node to the new one, syncs, and reports an equal comparison' {
        $old = New-Node
        $new = New-Node
        $null = Import-MemcacheData -Path $SeedDump -Server $old.Server -ErrorAction Stop
        $run = Invoke-Runbook 'Replace-Node.ps1' "-OldNode $($old.Server) -NewNode $($new.Server) -Confirm:`$false"
        $run.ExitCode | Should -Be 0 -Because $run.Text
        $run.Output | Should -Match 'Successful'
        $run.Output | Should -Match ('Compared {0:N0} keys: {0:N0} equal' -f $Total)
        Assert-Holds $new.Server
    }

    It 'keeps what live traffic already wrote to the new node (mode Add)' {
        $old = New-Node
        $new = New-Node
        $null = Import-MemcacheData -Path $SeedDump -Server $old.Server -ErrorAction Stop
        Set-TestItem -Server $new.Server -Items @{ 'rb:user:1' = 'fresh from live traffic' } -Flags 77
        $run = Invoke-Runbook 'Replace-Node.ps1' "-OldNode $($old.Server) -NewNode $($new.Server) -Confirm:`$false"
        $run.ExitCode | Should -Be 0 -Because $run.Text
        (Get-TestItem -Server $new.Server -Key 'rb:user:1')['rb:user:1'].Value | Should -Be 'fresh from live traffic'
    }

    It 'stops with an error naming the node when the new node is unreachable' {
        $old = New-Node
        $null = Import-MemcacheData -Path $SeedDump -Server $old.Server -ErrorAction Stop
        $unused = "127.0.0.1:$(Get-FreeTcpPort)"
        $run = Invoke-Runbook 'Replace-Node.ps1' "-OldNode $($old.Server) -NewNode $unused -Confirm:`$false"
        $run.ExitCode | Should -Not -Be 0
        $run.Text | Should -Match ([regex]::Escape($unused))
    }
}

Describe 'Scale-Out.ps1' {
    It 'prints the plan, moves only the keys whose owner changes, and every key ends on its owner in the new ring' {
        $oldRing = @(New-Node; New-Node; New-Node)
        $newNodes = @(New-Node; New-Node)
        $null = Import-MemcacheData -Path $SeedDump -Server $oldRing.Server -ErrorAction Stop
        $run = Invoke-Runbook 'Scale-Out.ps1' "-OldRing $($oldRing.Server -join ',') -NewNodes $($newNodes.Server -join ',') -Confirm:`$false"
        $run.ExitCode | Should -Be 0 -Because $run.Text
        $run.Output | Should -Match 'What if:'
        $run.Output | Should -Match 'The 5-node ring holds every key of the 3-node ring'
        Assert-Holds ($oldRing.Server + $newNodes.Server)
        # About 2/5 of the keys change owner; the new nodes got those, and only those.
        $moved = (Get-TestItemCount $newNodes[0].Server) + (Get-TestItemCount $newNodes[1].Server)
        $moved | Should -BeGreaterThan ($Total * 0.25)
        $moved | Should -BeLessThan ($Total * 0.55)
    }
}

Describe 'Warm-McrouterPoolMember.ps1' {
    It 'copies to the new member exactly its share of the grown ch3 pool, and a client of the grown pool finds every key' {
        $peers = @(New-Node; New-Node; New-Node)
        $member = New-Node
        # The pool as mcrouter fills it: every key on its ch3 owner among the peers, with the pool's salt.
        $null = Import-MemcacheData -Path $SeedDump -Server $peers.Server -RingForm Ch3 -HashSalt 'rb-1' -ErrorAction Stop
        $run = Invoke-Runbook 'Warm-McrouterPoolMember.ps1' "-Peer $($peers.Server -join ',') -NewMember $($member.Server) -HashSalt rb-1 -Confirm:`$false"
        $run.ExitCode | Should -Be 0 -Because $run.Text
        $run.Output | Should -Match 'What if:'
        $run.Output | Should -Match 'holds its share'
        # Where a client of the grown pool looks, every reference key is, exact.
        $grown = @($peers.Server) + $member.Server
        $summary = Compare-MemcacheData -Reference $Seed.Server -Difference $grown -RingForm Ch3 -HashSalt 'rb-1' -Summary -ErrorAction Stop
        $summary.Missing | Should -Be 0
        $summary.ValueMismatch + $summary.FlagsMismatch + $summary.TtlMismatch | Should -Be 0
        $summary.Compared | Should -Be $Total
        # ch3 from 3 to 4 servers gives the new member about a quarter of the keys, and only those.
        $share = Get-TestItemCount $member.Server
        $share | Should -BeGreaterThan ($Total * 0.15)
        $share | Should -BeLessThan ($Total * 0.35)
    }
}

Describe 'Prove-NewNode.Tests.ps1' {
    BeforeAll {
        # The gate as an operator runs it: Invoke-Pester in a fresh pwsh with the nodes in variables, once for a
        # healthy node replacing a smaller one and once the other way round (one process for both: starting pwsh
        # and Pester is most of the cost). The latency step runs briefly at a modest rate with a limit a loaded
        # CI machine keeps: it proves the step works, not this machine's latency.
        $healthy = New-Node
        $small = Start-TestMemcached -ArgumentList '-I', '64k', '-o', 'slab_chunk_max=32768'
        $Started.Add($small)
        $pester = (Get-Module -Name Pester).Path
        $gate = Join-Path $Examples 'Prove-NewNode.Tests.ps1'
        $script = "Import-Module '$pester'; " +
            "foreach (`$pair in @(@('$($healthy.Server)', '$($small.Server)'), @('$($small.Server)', '$($healthy.Server)'))) { " +
            "`$env:MEMCACHEOPS_NEW_NODE = `$pair[0]; `$env:MEMCACHEOPS_OLD_NODE = `$pair[1]; " +
            "`$r = Invoke-Pester -Path '$gate' -PassThru -Output None; " +
            "'RUNBOOK {0}|{1}|{2}' -f `$r.PassedCount, `$r.SkippedCount, (`$r.Failed.Name -join ',') }"
        $run = Invoke-TestPwsh -Script $script -TimeoutSeconds 240 -Environment @{
            MEMCACHEOPS_TARGET_RATE = '500'; MEMCACHEOPS_MAX_P99_MS = '1000'; MEMCACHEOPS_LATENCY_SECONDS = '2'
        }
        $Outcomes = @($run.Output -split "`n" | Where-Object { $_.StartsWith('RUNBOOK ') } | ForEach-Object Trim)
        $RunText = $run.Text
        $Healthy = $healthy
    }

    It 'passes against a healthy new node that replaces a smaller one, and leaves no key of its own' {
        $Outcomes[0] | Should -Be 'RUNBOOK 6|0|' -Because $RunText
        Get-TestItemCount $Healthy.Server | Should -Be 0
    }

    It 'fails against a node that cannot hold the items of the node it replaces, naming the step' {
        $Outcomes[1] | Should -Be 'RUNBOOK 5|0|stores values as large as the node it replaces, with as much memory' -Because $RunText
    }
}

Describe 'Warm-RestartedNode.ps1' {
    It 'copies from the other replica exactly the keys the restarted node owns on its ring' {
        $replica = @(New-Node; New-Node; New-Node)
        $ring = @(New-Node; New-Node; New-Node)
        $null = Import-MemcacheData -Path $SeedDump -Server $replica.Server -ErrorAction Stop
        $null = Import-MemcacheData -Path $SeedDump -Server $ring.Server -ErrorAction Stop
        # The third node of the ring restarts empty, on its own address.
        $share = Get-TestItemCount $ring[2].Server
        $null = Export-MemcacheData -Server $ring[2].Server -Path (Join-Path $Folder 'share') -ErrorAction Stop
        $restarted = Restart-TestMemcached $ring[2]
        $Started.Add($restarted)
        Get-TestItemCount $restarted.Server | Should -Be 0
        $run = Invoke-Runbook 'Warm-RestartedNode.ps1' "-Node $($restarted.Server) -Ring $($ring.Server -join ',') -Replica $($replica.Server -join ',') -Confirm:`$false"
        $run.ExitCode | Should -Be 0 -Because $run.Text
        Get-TestItemCount $restarted.Server | Should -Be $share
        Compare-MemcacheData -ReferencePath (Join-Path $Folder 'share') -Difference $restarted.Server -ErrorAction Stop | Should -BeNullOrEmpty
        Assert-Holds $ring.Server
    }
}

Describe 'Verify-Migration.Tests.ps1' {
    BeforeAll {
        $PesterManifest = (Get-Module -Name Pester).Path -replace '\.psm1$', '.psd1'
        $Copy = New-Node
        $null = Import-MemcacheData -Path $SeedDump -Server $Copy.Server -ErrorAction Stop
        function Invoke-Gate([string] $Reference, [string] $Target) {
            $gate = Join-Path $Examples 'Verify-Migration.Tests.ps1'
            $script = "Import-Module '$PesterManifest'; `$r = Invoke-Pester -Path '$gate' -PassThru -Output None; 'RESULT {0} passed {1} failed {2} skipped' -f `$r.PassedCount, `$r.FailedCount, `$r.SkippedCount"
            $run = Invoke-TestPwsh -Script $script -Environment @{ MEMCACHEOPS_REFERENCE = $Reference; MEMCACHEOPS_TARGET = $Target }
            $match = [regex]::Match($run.Output, 'RESULT (\d+) passed (\d+) failed (\d+) skipped')
            $match.Success | Should -BeTrue -Because $run.Text
            [pscustomobject]@{ Passed = [int]$match.Groups[1].Value; Failed = [int]$match.Groups[2].Value; Skipped = [int]$match.Groups[3].Value }
        }
    }

    It 'passes when the target holds exactly the reference data (servers)' {
        $result = Invoke-Gate -Reference $Seed.Server -Target $Copy.Server
        $result.Passed | Should -Be 3
        $result.Failed | Should -Be 0
    }

    It 'passes against a dump as the reference' {
        $result = Invoke-Gate -Reference $SeedDump -Target $Copy.Server
        $result.Failed | Should -Be 0
        $result.Passed | Should -Be 3
    }

    It 'fails the pipeline when the target lacks or changed keys' {
        $broken = New-Node
        $null = Import-MemcacheData -Path $SeedDump -Server $broken.Server -ErrorAction Stop
        Set-TestItem -Server $broken.Server -Items @{ 'rb:user:5' = 'changed' } -Flags 77
        $result = Invoke-Gate -Reference $Seed.Server -Target $broken.Server
        $result.Failed | Should -Be 1
    }
}

Describe 'Nightly-DumpToS3.ps1' {
    BeforeAll {
        $Cloud = Start-TestCloudEmulators
        $Queue = New-TestSqsQueue -Emulators $Cloud
        # Credentials as the AWS chain finds them on a host: from the environment (never on a command line).
        $AwsEnvironment = @{ AWS_ACCESS_KEY_ID = $Cloud.AccessKey; AWS_SECRET_ACCESS_KEY = $Cloud.SecretKey; AWS_EC2_METADATA_DISABLED = 'true' }
        $Node = New-Node
        $null = Import-MemcacheData -Path $SeedDump -Server $Node.Server -ErrorAction Stop
        $Prefix = 'nightly-' + [guid]::NewGuid().ToString('N').Substring(0, 8)
        $Run = Invoke-Runbook 'Nightly-DumpToS3.ps1' ("-Server $($Node.Server) -Bucket $($Cloud.Bucket) -Queue $Queue -Prefix $Prefix " +
            "-EndpointUrl $($Cloud.S3Endpoint) -SqsEndpointUrl $($Cloud.SqsEndpoint)") -Environment $AwsEnvironment
        $RequestId = '{0}-{1:yyyyMMdd}' -f ($Node.Server -replace '[:.]', '-'), (Get-Date)
    }

    AfterAll {
        Stop-TestCloudEmulators $Cloud
    }

    It 'dumps the node to S3 and reports a complete dump' {
        $Run.ExitCode | Should -Be 0 -Because $Run.Text
        $Run.Output | Should -Match ('True\s+{0:N0}' -f $Total)
    }

    It 'leaves a complete dump under the prefix and request id that imports into a fresh node' {
        $fresh = New-Node
        $result = Import-MemcacheData -Path "s3://$($Cloud.Bucket)/$Prefix/$RequestId/" -Server $fresh.Server -EndpointUrl $Cloud.S3Endpoint `
            -AccessKey $Cloud.AccessKey -SecretKey $Cloud.SecretKey -Region $Cloud.Region -ErrorAction Stop
        $result.Stored | Should -Be $Total
        Assert-Holds $fresh.Server
    }

    It 'announces every data file on the queue' {
        Get-TestSqsMessageCount -Emulators $Cloud -Name $Queue | Should -BeGreaterOrEqual 1
    }

    It 'removes the local data files once shipped (-RemoveLocal)' {
        @(Get-ChildItem -Path (Join-Path ([IO.Path]::GetTempPath()) $RequestId 'data') -File -ErrorAction SilentlyContinue).Count | Should -Be 0
    }

    It 'deletes dumps older than -KeepDays (needs AWS.Tools.S3)' {
        if (-not (Get-Module -ListAvailable -Name AWS.Tools.S3)) {
            Set-ItResult -Skipped -Because 'the retention step uses Get-S3Object and Remove-S3Object from AWS.Tools.S3, which is not installed here'
            return
        }
        $run = Invoke-Runbook 'Nightly-DumpToS3.ps1' "-Server $($Node.Server) -Bucket $($Cloud.Bucket) -Queue $Queue -Prefix $Prefix -KeepDays 0 -EndpointUrl $($Cloud.S3Endpoint)" -Environment $AwsEnvironment
        $run.ExitCode | Should -Be 0 -Because $run.Text
    }

    Context 'Populate-FromSqs.ps1' {
        It 'drains the queue the nightly dump announced into a ring, every key on its owner' {
            $ring = @(New-Node; New-Node)
            $run = Invoke-Runbook 'Populate-FromSqs.ps1' ("-Queue $Queue -Bucket $($Cloud.Bucket) -Ring $($ring.Server -join ',') -IdleTimeout 3 " +
                "-EndpointUrl $($Cloud.S3Endpoint) -SqsEndpointUrl $($Cloud.SqsEndpoint)") -Environment $AwsEnvironment
            $run.ExitCode | Should -Be 0 -Because $run.Text
            Assert-Holds $ring.Server
            Get-TestSqsMessageCount -Emulators $Cloud -Name $Queue | Should -Be 0 -Because 'each message is deleted once its chunk is imported'
        }
    }
}
