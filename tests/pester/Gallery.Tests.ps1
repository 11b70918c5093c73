#Requires -Version 7.6
# Pester 6. Gallery hygiene (PSScriptAnalyzer is not available here, so its rules that matter are checked
# directly): approved verbs, ShouldProcess on every cmdlet that changes state, declared output types, and help
# examples whose code parses and names only real parameters. Then every help example that needs only memcached
# runs as written against test servers. Data-driven over Get-Command -Module MemcacheOps, so new cmdlets are
# covered without edits here. (Test-ModuleManifest and help for every parameter: Manifest.Tests.ps1, Help.Tests.ps1.)

BeforeDiscovery {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-Module -Name $ManifestPath -Force -ErrorAction Stop
    $Cmdlets = @(Get-Command -Module MemcacheOps -CommandType Cmdlet | ForEach-Object { @{ Name = $_.Name } })
    # Examples that need more than memcached: S3 and SQS services, AWS credentials or AWS.Tools.
    $CloudPattern = 'S3|Sqs|s3://|ProfileName|AccessKey'
    # Cmdlets whose examples need a server other than plain memcached (a cluster configuration endpoint).
    $NeedsOtherServer = @('Get-MemcacheCluster')
    # Examples that need a TLS or authenticating server (tests/pester/Secured.Tests.ps1 runs those cases).
    $SecuredPattern = 'tls://|-Tls\b|-Credential'
    $Examples = @(foreach ($command in Get-Command -Module MemcacheOps -CommandType Cmdlet) {
            $index = 0
            foreach ($example in @((Get-Help -Name $command.Name -Full).Examples.Example)) {
                $index++
                $code = ($example.Code -join "`n").Trim()
                if ($code -match $CloudPattern -or $code -match $SecuredPattern -or $command.Name -in $NeedsOtherServer) { continue }
                @{ Name = $command.Name; Index = $index; Code = $code }
            }
        })
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-Module -Name $ManifestPath -Force -ErrorAction Stop
    $Common = [System.Management.Automation.PSCmdlet]::CommonParameters + [System.Management.Automation.PSCmdlet]::OptionalCommonParameters
    $Approved = @(Get-Verb | ForEach-Object Verb)
    # Verbs that only read: every other verb changes something and must support -WhatIf/-Confirm.
    # Read-only verbs whose cmdlet writes to the server all the same, and why.
    $WritesWithReadOnlyVerb = @{ 'Test-MemcacheNode' = 'writes and deletes keys of its own, and flushes the server with -Destructive' }
    $ReadOnlyVerbs = 'Get', 'Compare', 'Test', 'Measure', 'Find', 'Search', 'Show', 'Read', 'Resolve', 'Watch', 'Select', 'Format', 'Out', 'ConvertTo', 'ConvertFrom', 'Trace', 'Wait'
    $Module = Get-Module -Name MemcacheOps

    function Get-ExampleCalls([string] $Code) {
        # Every call of a MemcacheOps cmdlet (or alias) in the code, with the command it resolves to.
        $tokens = $errors = $null
        $ast = [System.Management.Automation.Language.Parser]::ParseInput($Code, [ref] $tokens, [ref] $errors)
        if ($errors) { throw "The example does not parse: $($errors[0].Message)`n$Code" }
        foreach ($call in $ast.FindAll({ $args[0] -is [System.Management.Automation.Language.CommandAst] }, $true)) {
            $name = $call.GetCommandName()
            if (-not $name) { continue }
            $command = Get-Command -Name $name -ErrorAction SilentlyContinue
            if ($command -is [System.Management.Automation.AliasInfo]) { $command = $command.ResolvedCommand }
            if ($command -and $command.ModuleName -eq 'MemcacheOps') { [pscustomobject]@{ Ast = $call; Command = $command } }
        }
    }
}

AfterAll {
    Remove-Module -Name MemcacheOps -Force -ErrorAction SilentlyContinue
}

Describe 'Gallery hygiene of <Name>' -ForEach $Cmdlets {
    BeforeAll {
        $Command = Get-Command -Name $Name -CommandType Cmdlet
        $Attribute = $Command.ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $true) | Select-Object -First 1
    }

    It 'uses an approved verb and a Memcache noun' {
        $Command.Verb | Should -BeIn $Approved
        $Command.Noun | Should -BeLike 'Memcache*'
    }

    It 'supports -WhatIf and -Confirm when its verb changes state' {
        if ($Command.Verb -notin $ReadOnlyVerbs) {
            $Attribute.SupportsShouldProcess | Should -BeTrue -Because "$Name changes state"
            $Command.Parameters.Keys | Should -Contain 'WhatIf'
            $Command.Parameters.Keys | Should -Contain 'Confirm'
        }
        elseif ($WritesWithReadOnlyVerb.ContainsKey($Name)) {
            # A read-only verb whose run still writes to the server: it asks first, as a state-changing cmdlet does.
            $Attribute.SupportsShouldProcess | Should -BeTrue -Because "$Name $($WritesWithReadOnlyVerb[$Name])"
        }
        else {
            $Attribute.SupportsShouldProcess | Should -BeFalse -Because "$Name only reads, so there is nothing to confirm"
        }
    }

    It 'declares its output types, each with a table view' {
        @($Command.OutputType).Count | Should -BeGreaterThan 0
        # .NET's own types (the bool of -Quiet) keep PowerShell's display: a view for them would change every bool in the session.
        foreach ($type in $Command.OutputType | Where-Object { $_.Name -notlike 'System.*' }) {
            Get-FormatData -TypeName $type.Name | Should -Not -BeNullOrEmpty -Because "$($type.Name) needs a view"
        }
    }

    It 'is exported by the manifest, and its aliases too' {
        $Module.ExportedCmdlets.Keys | Should -Contain $Name
        foreach ($alias in Get-Alias -Definition $Name -ErrorAction SilentlyContinue) { $Module.ExportedAliases.Keys | Should -Contain $alias.Name }
    }

    It 'has help examples whose code parses and names only parameters the cmdlets have' {
        $examples = @((Get-Help -Name $Name -Full).Examples.Example)
        $examples.Count | Should -BeGreaterOrEqual 2
        foreach ($example in $examples) {
            $calls = @(Get-ExampleCalls (($example.Code -join "`n").Trim()))
            $calls.Count | Should -BeGreaterThan 0 -Because "an example of $Name should call a MemcacheOps cmdlet"
            foreach ($call in $calls) {
                $known = @($call.Command.Parameters.Values | ForEach-Object { $_.Name; $_.Aliases })
                foreach ($parameter in $call.Ast.CommandElements | Where-Object { $_ -is [System.Management.Automation.Language.CommandParameterAst] }) {
                    ($parameter.ParameterName -in $known -or $parameter.ParameterName -in $Common) |
                        Should -BeTrue -Because "$($call.Command.Name) has no -$($parameter.ParameterName) (example of ${Name}: $($example.Code))"
                }
            }
        }
    }
}

Describe 'Help examples that need only memcached run as written' {
    BeforeAll {
        # Six servers holding the same data (so comparisons between any of them are empty, as the examples
        # expect), a native and a cachemover dump of it, and a cachemover YAML file for -ConfigFile examples.
        $Pool = @(1..6 | ForEach-Object { Start-TestMemcached })
        foreach ($server in $Pool) {
            Add-TestItems -Server $server.Server -Count 300 -Prefix 'user:' -ValueSize 80 -Flags 1
            Add-TestItems -Server $server.Server -Count 20 -Prefix 'user:42:' -ValueSize 40 -Flags 2
            Add-TestItems -Server $server.Server -Count 50 -Prefix 'session:' -ValueSize 30 -Flags 3 -TimeToLive 7200
        }
        $Work = New-TestFolder -Name 'memcacheops-examples'
        $NativeDump = Join-Path $Work 'native'
        $CachemoverDump = Join-Path $Work 'cachemover'
        $null = Export-MemcacheData -Server $Pool[0].Server -Path $NativeDump -ErrorAction Stop
        $null = Export-MemcacheData -Server $Pool[0].Server -Path $CachemoverDump -Layout Cachemover -ErrorAction Stop
        $ServerParameters = 'Server', 'Source', 'Destination', 'Reference', 'Difference', 'RingServer', 'OldRingServer', 'DestinationServer'
        $PathParameters = 'Path', 'ReferencePath', 'DifferencePath', 'SpillDirectory', 'WorkFolder', 'ConfigFile'
        $ReadsPath = @{ 'Import-MemcacheData' = 'Path'; 'Compare-MemcacheData' = 'Reference', 'Difference', 'ReferencePath', 'DifferencePath' }

        # The example's code with its host names and paths replaced by test servers and fresh folders: every
        # constant bound to a server parameter maps to a pool server (the same name to the same server), every
        # path to a folder of its own (holding a copy of a dump where the cmdlet reads one).
        function ConvertTo-Runnable([string] $Code, [string] $Folder) {
            $servers = @{}
            $paths = @{}
            $edits = [System.Collections.Generic.List[object]]::new()
            foreach ($call in Get-ExampleCalls $Code) {
                $binding = [System.Management.Automation.Language.StaticParameterBinder]::BindCommand($call.Ast, $true)
                foreach ($entry in $binding.BoundParameters.GetEnumerator()) {
                    $parameter = $call.Command.Parameters[$entry.Key]
                    $name = if ($parameter) { $parameter.Name } else { $entry.Key }
                    if ($name -notin $ServerParameters -and $name -notin $PathParameters) { continue }
                    $values = @($entry.Value.Value.FindAll({ $args[0] -is [System.Management.Automation.Language.StringConstantExpressionAst] }, $true))
                    foreach ($value in $values) {
                        $text = $value.Value
                        $isPath = $name -in $PathParameters -or $text -match '^[./~]' -or $text -match '/'
                        if ($isPath -and $text -notmatch '^\[') {
                            if (-not $paths.ContainsKey($text)) {
                                $local = Join-Path $Folder ('p' + $paths.Count)
                                $reads = $name -in @($ReadsPath[$call.Command.Name])
                                if ($reads) { Copy-Item -Path ($text -match 'cachemover' ? $CachemoverDump : $NativeDump) -Destination $local -Recurse }
                                if ($name -eq 'ConfigFile') {
                                    Set-Content -Path $local -Value @('ip: "127.0.0.1"', "port: $($Pool[0].Port)", "output_dir: `"$(Join-Path $Folder 'config-output')`"")
                                }
                                $paths[$text] = $local
                            }
                            $edits.Add(@{ Start = $value.Extent.StartOffset; End = $value.Extent.EndOffset; Text = "'$($paths[$text])'" })
                        }
                        else {
                            if (-not $servers.ContainsKey($text)) {
                                if ($servers.Count -ge $Pool.Count) { throw "The example names more than $($Pool.Count) servers." }
                                $servers[$text] = $Pool[$servers.Count].Server
                            }
                            $edits.Add(@{ Start = $value.Extent.StartOffset; End = $value.Extent.EndOffset; Text = "'$($servers[$text])'" })
                        }
                    }
                }
            }
            foreach ($edit in $edits | Sort-Object { $_.Start } -Descending -Unique) {
                $Code = $Code.Substring(0, $edit.Start) + $edit.Text + $Code.Substring($edit.End)
            }
            $Code
        }
    }

    AfterAll {
        foreach ($server in $Pool) { Stop-TestMemcached $server }
        if ($Work) { Remove-Item -Path $Work -Recurse -Force -ErrorAction SilentlyContinue }
    }

    It '<Name> example <Index>' -ForEach $Examples {
        $folder = Join-Path $Work "$Name-$Index"
        $null = New-Item -ItemType Directory -Path $folder
        $runnable = ConvertTo-Runnable -Code $Code -Folder $folder
        $ps = [powershell]::Create()
        try {
            $pester = (Get-Module -Name Pester).Path
            # A user answering Yes at a confirmation prompt: the harness has no console to type into.
            $null = $ps.AddScript("Set-Location -Path '$folder'; `$ConfirmPreference = 'None'; Import-Module '$pester'; Import-Module -Name '$ManifestPath' -ErrorAction Stop`n$runnable")
            $output = [System.Management.Automation.PSDataCollection[psobject]]::new()
            $handle = $ps.BeginInvoke([System.Management.Automation.PSDataCollection[psobject]]::new(), $output)
            # An example that samples or syncs until stopped (-Interval, -Continuous) is stopped as Ctrl+C would,
            # once it has shown something.
            $finished = $handle.AsyncWaitHandle.WaitOne([TimeSpan]::FromSeconds(10))
            if (-not $finished) {
                Wait-TestCondition -Condition { $output.Count -gt 0 -or $handle.IsCompleted } -TimeoutSeconds 30 -Because "output from an example still running after 10 s: $runnable"
                $ps.Stop()
                $errors = @($ps.Streams.Error | Where-Object { $_.FullyQualifiedErrorId -notlike 'PipelineStopped*' })
                $errors.Count | Should -Be 0 -Because "the example should run without errors until stopped:`n$runnable`n$($errors | Out-String)"
            }
            else {
                $null = $ps.EndInvoke($handle)
                $ps.HadErrors | Should -BeFalse -Because "the example should run without errors:`n$runnable`n$($ps.Streams.Error | Out-String)"
            }
        }
        catch [System.Management.Automation.RuntimeException] {
            throw "The example failed: $($_.Exception.Message)`n$runnable"
        }
        finally {
            $ps.Dispose()
        }
    }
}
