#Requires -Version 7.6
# Pester 6. What every cmdlet does with PowerShell's common parameters, against real memcached servers:
# -ErrorAction Stop/SilentlyContinue/Continue, -ErrorVariable, -WarningAction/-WarningVariable, -Verbose,
# -WhatIf and -Confirm (answered at a real prompt in an interactive child session), and the stable
# FullyQualifiedErrorId, category and TargetObject (the server or file) of each failure.

BeforeDiscovery {
    # One row per cmdlet: how to run it, how to make it fail and warn, and what its failure looks like.
    # Values in braces are filled in when the tests run (servers and folders exist only then).
    $Cmdlets = @(
        @{ Name = 'Get-MemcacheStats'; Class = 'GetMemcacheStatsCommand'; FailureIsPerServer = $true
            ErrorId = 'MemcacheConnectionFailed'; Category = 'ConnectionError' }
        @{ Name = 'Get-MemcacheKeys'; Class = 'GetMemcacheKeysCommand'; FailureIsPerServer = $true
            ErrorId = 'MemcacheConnectionFailed'; Category = 'ConnectionError' }
        @{ Name = 'Export-MemcacheData'; Class = 'ExportMemcacheDataCommand'; FailureIsPerServer = $false
            ErrorId = 'MemcacheConnectionFailed'; Category = 'ConnectionError' }
        @{ Name = 'Import-MemcacheData'; Class = 'ImportMemcacheDataCommand'; FailureIsPerServer = $false
            ErrorId = 'MemcacheConnectionFailed'; Category = 'ConnectionError' }
        @{ Name = 'Compare-MemcacheData'; Class = 'CompareMemcacheDataCommand'; FailureIsPerServer = $false
            ErrorId = 'MemcacheConnectionFailed'; Category = 'ConnectionError' }
        @{ Name = 'Move-MemcacheNode'; Class = 'MoveMemcacheNodeCommand'; FailureIsPerServer = $true
            ErrorId = 'MoveDestinationFailed'; Category = 'WriteError' }
    )
    $PerServer = @($Cmdlets | Where-Object FailureIsPerServer)
    $WholeOperation = @($Cmdlets | Where-Object { -not $_.FailureIsPerServer })
    $Changing = @($Cmdlets | Where-Object { $_.Name -in 'Export-MemcacheData', 'Import-MemcacheData', 'Move-MemcacheNode' })
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-Module -Name $ManifestPath -Force -ErrorAction Stop

    $Source = Start-TestMemcached
    $Target = Start-TestMemcached
    $Folder = New-TestFolder -Name 'memcacheops-common'
    $Dead = "127.0.0.1:$(Get-FreeTcpPort)"
    Add-TestItems -Server $Source.Server -Count 300 -Prefix 'common:' -ValueSize 50 -Flags 5
    $Dump = Join-Path $Folder 'dump'
    $null = Export-MemcacheData -Server $Source.Server -Path $Dump -ErrorAction Stop

    # Parameters that make each cmdlet succeed, fail (everything or one server), and warn.
    function Get-Case([string] $Name, [string] $Kind) {
        $fresh = Join-Path $Folder ([guid]::NewGuid().ToString('N'))
        $table = @{
            'Get-MemcacheStats'    = @{
                Success = @{ Server = $Source.Server }
                Failure = @{ Server = $Dead; ConnectTimeout = 2 }
                Partial = @{ Server = $Source.Server, $Dead; ConnectTimeout = 2 }
                # Get-MemcacheStats has nothing to warn about; it is left out of the warning tests.
            }
            'Get-MemcacheKeys'     = @{
                Success = @{ Server = $Source.Server; CountOnly = $true }
                Failure = @{ Server = $Dead; ConnectTimeout = 2 }
                Partial = @{ Server = $Source.Server, $Dead; ConnectTimeout = 2; CountOnly = $true }
                Warning = @{ Server = $Source.Server; Method = 'MetadumpAll'; CountOnly = $true }
            }
            'Export-MemcacheData'  = @{
                Success = @{ Server = $Source.Server; Path = $fresh }
                Failure = @{ Server = $Dead; Path = $fresh; ConnectTimeout = 2 }
                Warning = @{ Server = $Source.Server; Path = $fresh; Resume = $true }
            }
            'Import-MemcacheData'  = @{
                Success = @{ Path = $Dump; Server = $Target.Server }
                Failure = @{ Path = $Dump; Server = $Dead; ConnectTimeout = 2 }
                # A dump whose manifest says it is incomplete, loaded anyway: the result is partial, and says so.
                Warning = @{ Path = $Incomplete; Server = $Target.Server; AllowIncomplete = $true }
            }
            'Compare-MemcacheData' = @{
                Success = @{ Reference = $Source.Server; Difference = $Source.Server }
                Failure = @{ Reference = $Source.Server; Difference = $Dead; ConnectTimeout = 2 }
                Warning = @{ ReferencePath = $Incomplete; Difference = $Source.Server }
            }
            'Move-MemcacheNode'    = @{
                Success = @{ Source = $Source.Server; Destination = $Target.Server; Confirm = $false }
                Failure = @{ Source = $Source.Server; Destination = $Dead; ConnectTimeout = 2; Confirm = $false }
                Partial = @{ Source = $Source.Server; Destination = $Target.Server, $Dead; ConnectTimeout = 2; Confirm = $false }
                Warning = @{ Source = $Big.Server; Destination = $Small.Server; Force = $true; Confirm = $false }
            }
        }
        $table[$Name][$Kind]
    }

    # An incomplete dump (its export was stopped), for Compare's warning.
    $Incomplete = Join-Path $Folder 'incomplete'
    $null = Copy-Item -Path $Dump -Destination $Incomplete -Recurse
    $manifest = Join-Path $Incomplete 'manifest.json'
    (Get-Content -Raw $manifest) -replace '"complete"\s*:\s*true', '"complete": false' | Set-Content -Path $manifest -NoNewline
    # A destination too small for a source, for Move's warning under -Force (the preflight would refuse it).
    $Small = Start-TestMemcached -MemoryMegabytes 2
    $Big = Start-TestMemcached
    Add-TestItems -Server $Big.Server -Count 3000 -Prefix 'big:' -ValueSize 1000
}

AfterAll {
    foreach ($instance in $Source, $Target, $Small, $Big) { Stop-TestMemcached $instance }
    if ($Folder) { Remove-Item -Path $Folder -Recurse -Force -ErrorAction SilentlyContinue }
    Remove-Module -Name MemcacheOps -Force -ErrorAction SilentlyContinue
}

Describe '<Name>: errors' -ForEach $Cmdlets {
    BeforeAll {
        $FullId = "$ErrorId,MemcacheOps.Cmdlets.Commands.$Class"
    }

    It '-ErrorAction Stop makes a failure terminating, with a stable id, category and the server as target' {
        $parameters = Get-Case $Name 'Failure'
        $record = $null
        try { & $Name @parameters -ErrorAction Stop | Out-Null } catch { $record = $_ }
        $record | Should -Not -BeNullOrEmpty -Because "$Name should fail on $Dead"
        $record.FullyQualifiedErrorId | Should -Be $FullId
        $record.CategoryInfo.Category | Should -Be $Category
        $record.TargetObject | Should -Be $Dead
        $record.Exception.Message | Should -Match ([regex]::Escape($Dead))
        $record.Exception.GetType().FullName | Should -Be 'MemcacheOps.Engine.MemcacheException'
    }

    It '-ErrorVariable collects the failure (also with -ErrorAction SilentlyContinue)' {
        $parameters = Get-Case $Name 'Failure'
        $collected = $null
        try { & $Name @parameters -ErrorAction SilentlyContinue -ErrorVariable collected | Out-Null } catch { }
        # A terminating error arrives in the variable as the exception that carries it (CmdletInvocationException).
        $records = @($collected | ForEach-Object { if ($_ -is [System.Management.Automation.ErrorRecord]) { $_ } else { $_.ErrorRecord } })
        @($records | Where-Object { $_.FullyQualifiedErrorId -eq $FullId }).Count | Should -BeGreaterOrEqual 1
        ($records | Where-Object { $_.FullyQualifiedErrorId -eq $FullId } | Select-Object -First 1).TargetObject | Should -Be $Dead
    }

    It 'keeps +ErrorVariable appending and leaves $Error with the same record' {
        $parameters = Get-Case $Name 'Failure'
        $collected = [System.Collections.ArrayList]::new()
        $null = $collected.Add('earlier')
        try { & $Name @parameters -ErrorAction SilentlyContinue -ErrorVariable +collected | Out-Null } catch { }
        $collected[0] | Should -Be 'earlier'
        $collected.Count | Should -BeGreaterOrEqual 2
        $Error[0].FullyQualifiedErrorId | Should -Be $FullId
    }
}

Describe '<Name>: a failing server among working ones' -ForEach $PerServer {
    It 'is a non-terminating error: -ErrorAction SilentlyContinue hides it and the others still report' {
        $parameters = Get-Case $Name 'Partial'
        $collected = $null
        $output = @(& $Name @parameters -ErrorAction SilentlyContinue -ErrorVariable collected)
        $output.Count | Should -BeGreaterOrEqual 1 -Because 'the working server still reports'
        @($collected).Count | Should -Be 1
        $collected[0].TargetObject | Should -Be $Dead
    }

    It 'is written and the pipeline goes on with -ErrorAction Continue' {
        $parameters = Get-Case $Name 'Partial'
        $all = @(& $Name @parameters -ErrorAction Continue 2>&1)
        $errors = @($all | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] })
        $objects = @($all | Where-Object { $_ -isnot [System.Management.Automation.ErrorRecord] })
        $errors.Count | Should -Be 1
        $errors[0].TargetObject | Should -Be $Dead
        $objects.Count | Should -BeGreaterOrEqual 1
        $reached = $true
        $reached | Should -BeTrue
    }

    It 'stops the statement at once with -ErrorAction Stop' {
        $parameters = Get-Case $Name 'Partial'
        { & $Name @parameters -ErrorAction Stop } | Should -Throw -ErrorId "*,MemcacheOps.Cmdlets.Commands.*"
    }
}

Describe '<Name>: a failure of the whole operation' -ForEach $WholeOperation {
    It 'is a terminating error that -ErrorAction SilentlyContinue does not hide' {
        $parameters = Get-Case $Name 'Failure'
        { & $Name @parameters -ErrorAction SilentlyContinue } | Should -Throw -ErrorId "$ErrorId,*"
    }

    It 'ends only its statement with -ErrorAction Continue: the script goes on (in a session of its own)' {
        # Inside Pester (a try/catch up the stack) any terminating error ends the test, so a plain session shows it.
        $parameters = Get-Case $Name 'Failure'
        $arguments = ($parameters.GetEnumerator() | ForEach-Object { "-$($_.Key) '$($_.Value -join "','")'" }) -join ' '
        $run = Invoke-TestPwsh -Script "Import-Module MemcacheOps`n$Name $arguments -ErrorAction Continue`n'next statement ran'"
        $run.Text | Should -Match ([regex]::Escape($Dead))
        $run.Output | Should -Match 'next statement ran'
    }
}

Describe '<Name>: warnings' -ForEach @($Cmdlets | Where-Object Name -NE 'Get-MemcacheStats') {
    BeforeAll {
        $WarningParameters = Get-Case $Name 'Warning'
    }

    It 'warns, and -WarningVariable collects the warning' {
        $parameters = $WarningParameters.Clone()
        if ($parameters.ContainsKey('Path') -and $Name -eq 'Export-MemcacheData') { $parameters.Path = Join-Path $Folder ([guid]::NewGuid().ToString('N')) }
        $null = & $Name @parameters -WarningAction SilentlyContinue -WarningVariable warnings -ErrorAction Stop
        @($warnings).Count | Should -BeGreaterOrEqual 1
    }

    It '-WarningAction SilentlyContinue keeps warnings off the warning stream' {
        $parameters = $WarningParameters.Clone()
        if ($parameters.ContainsKey('Path') -and $Name -eq 'Export-MemcacheData') { $parameters.Path = Join-Path $Folder ([guid]::NewGuid().ToString('N')) }
        $stream = @(& $Name @parameters -WarningAction SilentlyContinue -ErrorAction Stop 3>&1 | Where-Object { $_ -is [System.Management.Automation.WarningRecord] })
        $stream.Count | Should -Be 0
    }

    It '-WarningAction Stop turns the warning into a terminating error' {
        $parameters = $WarningParameters.Clone()
        if ($parameters.ContainsKey('Path') -and $Name -eq 'Export-MemcacheData') { $parameters.Path = Join-Path $Folder ([guid]::NewGuid().ToString('N')) }
        { & $Name @parameters -WarningAction Stop -ErrorAction Stop } | Should -Throw
    }
}

Describe '<Name>: -Verbose' -ForEach $Cmdlets {
    It 'says what it does, naming the server, only when asked' {
        $parameters = Get-Case $Name 'Success'
        $verbose = @(& $Name @parameters -Verbose -ErrorAction Stop 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] })
        $verbose.Count | Should -BeGreaterOrEqual 1
        ($verbose.Message -join "`n") | Should -Match "$([regex]::Escape($Source.Server))|$([regex]::Escape($Target.Server))"
        $parameters = Get-Case $Name 'Success'
        $quiet = @(& $Name @parameters -ErrorAction Stop 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] })
        $quiet.Count | Should -Be 0
    }
}

Describe '<Name>: -WhatIf and -Confirm' -ForEach $Changing {
    BeforeAll {
        # flush_all leaves curr_items until memcached reclaims the items, so what the target holds is read by key.
        function Get-TargetKeys { @((Get-TestItem -Server $Target.Server -Key 'common:1', 'common:150', 'common:300').Keys).Count }
    }

    BeforeEach {
        Clear-TestMemcached $Target.Server
    }

    It '-WhatIf writes nothing anywhere' {
        $parameters = Get-Case $Name 'Success'
        $null = & $Name @parameters -WhatIf -ErrorAction Stop
        Get-TargetKeys | Should -Be 0
        if ($Name -eq 'Export-MemcacheData') { Test-Path $parameters.Path | Should -BeFalse }
    }

    It '-WhatIf tells what would happen, with the numbers' {
        $parameters = Get-Case $Name 'Success'
        $arguments = ($parameters.GetEnumerator() | Where-Object Key -NE 'Confirm' | ForEach-Object { "-$($_.Key) '$($_.Value -join "','")'" }) -join ' '
        $run = Invoke-TestPwsh -Script "Import-Module MemcacheOps; $Name $arguments -WhatIf"
        $run.ExitCode | Should -Be 0 -Because $run.Text
        $run.Output | Should -Match 'What if: '
        if ($Name -ne 'Export-MemcacheData') { $run.Output | Should -Match '300 (items|records)' }
        Get-TargetKeys | Should -Be 0
    }

    It 'asks with -Confirm: No writes nothing, Yes goes ahead' {
        $parameters = Get-Case $Name 'Success'
        $arguments = ($parameters.GetEnumerator() | Where-Object Key -NE 'Confirm' | ForEach-Object { "-$($_.Key) '$($_.Value -join "','")'" }) -join ' '
        $declined = Invoke-TestPwsh -Interactive -Script "Import-Module MemcacheOps`n$Name $arguments -Confirm | Out-Null`nN`n'declined-done'`n"
        $declined.Output | Should -Match '\[Y\] Yes  \[A\] Yes to All  \[N\] No'
        $declined.Output | Should -Match 'declined-done'
        Get-TargetKeys | Should -Be 0
        if ($Name -eq 'Export-MemcacheData') { Test-Path $parameters.Path | Should -BeFalse }

        $accepted = Invoke-TestPwsh -Interactive -Script "Import-Module MemcacheOps`n$Name $arguments -Confirm | Out-Null`nY`n'accepted-done'`n"
        $accepted.Output | Should -Match 'accepted-done'
        if ($Name -eq 'Export-MemcacheData') { Test-Path (Join-Path $parameters.Path 'manifest.json') | Should -BeTrue }
        else { Get-TargetKeys | Should -Be 3 }
    }
}

Describe 'Move-MemcacheNode confirms by default' {
    It 'asks before writing without -Confirm (ConfirmImpact High), and a non-interactive session refuses instead of writing' {
        $empty = Start-TestMemcached
        try {
            $run = Invoke-TestPwsh -Script "Import-Module MemcacheOps; Move-MemcacheNode -Source $($Source.Server) -Destination $($empty.Server)"
            # The prompt cannot be shown, so the statement fails (a script's exit code stays 0 for a statement-terminating error).
            $run.Text | Should -Match 'NonInteractive'
            Get-TestItemCount $empty.Server | Should -Be 0
            $asked = Invoke-TestPwsh -Interactive -Script "Import-Module MemcacheOps`nMove-MemcacheNode -Source $($Source.Server) -Destination $($empty.Server) | Out-Null`nN`n'done'`n"
            $asked.Output | Should -Match '\[Y\] Yes  \[A\] Yes to All  \[N\] No'
            $asked.Output | Should -Match 'done'
            Get-TestItemCount $empty.Server | Should -Be 0
        }
        finally {
            Stop-TestMemcached $empty
        }
    }
}

Describe 'Errors that name what is wrong' {
    It '<Name> reports a server that is not an address as InvalidServer, with the text as target' -ForEach @(
        @{ Name = 'Get-MemcacheStats'; Parameters = @{ Server = 'cache 1:xx' } }
        @{ Name = 'Get-MemcacheKeys'; Parameters = @{ Server = 'cache 1:xx' } }
        @{ Name = 'Export-MemcacheData'; Parameters = @{ Server = 'cache 1:xx'; Path = 'unused' } }
        @{ Name = 'Move-MemcacheNode'; Parameters = @{ Source = 'cache 1:xx'; Destination = '127.0.0.1:1'; Confirm = $false } }
    ) {
        $record = $null
        try { & $Name @Parameters -ErrorAction Stop | Out-Null } catch { $record = $_ }
        $record.FullyQualifiedErrorId | Should -BeLike 'InvalidServer,MemcacheOps.Cmdlets.Commands.*'
        $record.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $record.TargetObject | Should -Be 'cache 1:xx'
        $record.Exception.Message | Should -Match 'host:port'
    }

    It 'reports a dump that does not exist as DumpNotFound with the path as target' {
        $missing = Join-Path $Folder 'no-such-dump'
        $record = $null
        try { Import-MemcacheData -Path $missing -Server $Target.Server -ErrorAction Stop } catch { $record = $_ }
        $record.FullyQualifiedErrorId | Should -Be 'DumpNotFound,MemcacheOps.Cmdlets.Commands.ImportMemcacheDataCommand'
        $record.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $record.TargetObject | Should -Be $missing
    }

    It 'refuses to overwrite a dump without -Force or -Resume, saying which' {
        $record = $null
        try { Export-MemcacheData -Server $Source.Server -Path $Dump -ErrorAction Stop } catch { $record = $_ }
        $record.FullyQualifiedErrorId | Should -Be 'DumpExists,MemcacheOps.Cmdlets.Commands.ExportMemcacheDataCommand'
        $record.TargetObject | Should -Be $Dump
        $record.Exception.Message | Should -Match '-Resume'
        $record.Exception.Message | Should -Match '-Force'
    }

    It 'asks for both sides of a comparison' {
        { Compare-MemcacheData -Difference $Source.Server -ErrorAction Stop } | Should -Throw -ErrorId 'CompareSideMissing,*'
    }

    It 'rejects a parameter value out of range before contacting anything' {
        { Get-MemcacheStats -Server $Source.Server -ConnectTimeout 0 -ErrorAction Stop } | Should -Throw -ErrorId 'ParameterArgumentValidationError,*'
    }
}
