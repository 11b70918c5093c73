#Requires -Version 7.6
# Pester 6. Every cmdlet has full help: synopsis, description, at least two examples, and a description
# for every parameter. The help comes from en-US/MemcacheOps.Cmdlets.dll-Help.xml, generated at build time.

BeforeDiscovery {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-Module -Name $ManifestPath -Force -ErrorAction Stop
    $common = [System.Management.Automation.PSCmdlet]::CommonParameters + [System.Management.Automation.PSCmdlet]::OptionalCommonParameters
    $Cmdlets = foreach ($command in Get-Command -Module MemcacheOps -CommandType Cmdlet) {
        @{
            Name       = $command.Name
            Parameters = @($command.Parameters.Keys | Where-Object { $_ -notin $common } | Sort-Object)
        }
    }
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-Module -Name $ManifestPath -Force -ErrorAction Stop
}

AfterAll {
    Remove-Module -Name MemcacheOps -Force -ErrorAction SilentlyContinue
}

Describe 'Help of <Name>' -ForEach $Cmdlets {
    BeforeAll {
        $Help = Get-Help -Name $Name -Full
    }

    It 'comes from the MAML help file, not from the syntax alone' {
        $Help.ModuleName | Should -Be 'MemcacheOps'
        # Without a help file, Get-Help shows the syntax as the synopsis.
        $Help.Synopsis | Should -Not -Match 'CommonParameters'
    }

    It 'has a synopsis' {
        $Help.Synopsis | Should -Not -BeNullOrEmpty
    }

    It 'has a description' {
        ($Help.Description | ForEach-Object Text) -join "`n" | Should -Not -BeNullOrEmpty
    }

    It 'has at least two examples, each with code and an explanation' {
        $examples = @($Help.Examples.Example)
        $examples.Count | Should -BeGreaterOrEqual 2
        foreach ($example in $examples) {
            $example.Code | Should -Not -BeNullOrEmpty
            ($example.Remarks | ForEach-Object Text) -join '' | Should -Not -BeNullOrEmpty
        }
    }

    It 'has related links' {
        @($Help.RelatedLinks.NavigationLink).Count | Should -BeGreaterOrEqual 1
    }

    It 'describes -<_>' -ForEach $Parameters {
        $parameter = @($Help.Parameters.Parameter) | Where-Object Name -EQ $_
        $parameter | Should -Not -BeNullOrEmpty -Because "-$_ should be in the help"
        ($parameter.Description | ForEach-Object Text) -join '' | Should -Not -BeNullOrEmpty -Because "-$_ should be described"
    }
}

Describe 'about_MemcacheOps' {
    It 'ships in the module folder' {
        $moduleFolder = Split-Path -Path $LayoutManifestPath -Parent
        Join-Path $moduleFolder 'en-US' 'about_MemcacheOps.help.txt' | Should -Exist
    }
}
