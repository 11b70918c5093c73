#Requires -Version 7.6
# Pester 6. The default table view of every type a MemcacheOps cmdlet declares in [OutputType] keeps all its
# columns in an 80-column console, as Get-Process does: each type is rendered with Out-String -Width 80 and
# every header of its view must be on the header line. Data-driven over Get-Command -Module MemcacheOps, so
# a new cmdlet's output types are covered without edits here. Each type is rendered twice: as a real object
# from a real cmdlet run against memcached (where this file knows how to make one), and as a made-up object
# whose every property holds a wide value (the worst case, for every type).

BeforeDiscovery {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-Module -Name $ManifestPath -Force -ErrorAction Stop
    $OutputTypes = @(Get-Command -Module MemcacheOps -CommandType Cmdlet | ForEach-Object {
            $cmdlet = $_.Name
            # .NET's own types (the bool of -Quiet) keep PowerShell's display; only the module's types have views.
            foreach ($type in $_.OutputType | Where-Object { $_.Name -notlike 'System.*' }) { @{ TypeName = $type.Name; Cmdlet = $cmdlet } }
        } | Group-Object { $_.TypeName } | ForEach-Object { @{ TypeName = $_.Name; Cmdlets = ($_.Group.Cmdlet | Sort-Object -Unique) -join ', ' } })
    # The types this file makes real objects of (see $Producers below).
    $RealTypes = @(
        'MemcacheOps.Engine.Stats.ServerStats', 'MemcacheOps.Engine.Stats.StatsSample', 'MemcacheOps.Engine.Stats.SlabClassStats',
        'MemcacheOps.Engine.Stats.ItemClassStats', 'MemcacheOps.Engine.Stats.ServerSettings', 'MemcacheOps.Engine.Stats.ConnectionStats',
        'MemcacheOps.Engine.Listing.MemcacheKeyInfo', 'MemcacheOps.Engine.Listing.KeyCountResult', 'MemcacheOps.Engine.Export.ExportResult',
        'MemcacheOps.Engine.Import.ImportResult', 'MemcacheOps.Engine.Compare.MemcacheDifference', 'MemcacheOps.Engine.Compare.CompareSummary',
        'MemcacheOps.Engine.Move.MoveResult', 'MemcacheOps.Engine.Move.MovePassStatus')
    $RealOutputTypes = @($OutputTypes | Where-Object { $_.TypeName -in $RealTypes })
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-Module -Name $ManifestPath -Force -ErrorAction Stop

    function Get-TableView([string] $TypeName) {
        $data = Get-FormatData -TypeName $TypeName
        if (-not $data) { return $null }
        $view = @($data.FormatViewDefinition | Where-Object { $_.Control -is [System.Management.Automation.TableControl] }) | Select-Object -First 1
        if (-not $view) { return $null }
        $columns = $view.Control.Rows[0].Columns
        $headers = for ($i = 0; $i -lt $view.Control.Headers.Count; $i++) {
            $header = $view.Control.Headers[$i]
            $label = if ($header.Label) { $header.Label } else { $columns[$i].DisplayEntry.Value }
            [pscustomobject]@{ Label = $label; Width = $header.Width }
        }
        [pscustomobject]@{ Name = $view.Name; Headers = @($headers) }
    }

    function Test-Rendering($Objects, [string] $TypeName) {
        $view = Get-TableView $TypeName
        $text = $Objects | Format-Table | Out-String -Width 80
        $lines = @($text -split "`r?`n" | Where-Object { $_.Trim() })
        $headerLine = $lines[0]
        foreach ($header in $view.Headers) {
            # Every header, whole, on the one header line: a dropped column is missing, a squeezed one wraps.
            $headerLine | Should -Match ('(^|\s)' + [regex]::Escape($header.Label) + '(\s|$)') -Because "the '$($header.Label)' column of $TypeName should fit 80 columns:`n$text"
        }
        foreach ($line in $lines) { $line.Length | Should -BeLessOrEqual 80 -Because "no line of $TypeName should be wider than the console:`n$text" }
        # Each object is one row: nothing wrapped onto a second line.
        ($lines.Count - 2) | Should -Be @($Objects).Count -Because "each $TypeName should take one line:`n$text"
    }

    # A made-up object with a wide value in every property: long text, large numbers, long durations.
    function New-WideObject([string] $TypeName) {
        $type = [System.AppDomain]::CurrentDomain.GetAssemblies().ForEach({ $_.GetType($TypeName, $false) }) | Where-Object { $_ } | Select-Object -First 1
        $object = [System.Runtime.CompilerServices.RuntimeHelpers]::GetUninitializedObject($type)
        foreach ($property in $type.GetProperties([System.Reflection.BindingFlags]'Public, Instance')) {
            $setter = $property.GetSetMethod($true)
            if (-not $setter) { continue }
            $propertyType = [Nullable]::GetUnderlyingType($property.PropertyType) ?? $property.PropertyType
            $value = switch ($propertyType) {
                ([string]) { 'cache-node-17.memcached.example.internal:11211' }
                ([long]) { [long]987654321012 }
                ([int]) { [int]1234567 }
                ([uint32]) { [uint32]4294967295 }
                ([double]) { [double]123456.789 }
                ([bool]) { $true }
                ([TimeSpan]) { [TimeSpan]::FromHours(49.5) }
                ([DateTimeOffset]) { [DateTimeOffset]::UtcNow.AddDays(3) }
                ([DateTime]) { [DateTime]::UtcNow.AddDays(3) }
                ([byte[]]) { , [byte[]](1..40) }
                default {
                    if ($propertyType.IsEnum) { [Enum]::GetValues($propertyType) | Sort-Object { "$_".Length } -Descending | Select-Object -First 1 }
                    elseif ($propertyType.IsArray) { , [Array]::CreateInstance($propertyType.GetElementType(), 0) }
                    elseif ($propertyType.IsGenericType -and $propertyType.GetGenericTypeDefinition().Name -like 'IReadOnlyList*') { , [Array]::CreateInstance($propertyType.GetGenericArguments()[0], 0) }
                    elseif ($propertyType.IsGenericType -and $propertyType.GetGenericTypeDefinition().Name -like 'IReadOnlyDictionary*') {
                        , [System.Collections.Generic.Dictionary[string, string]]::new()
                    }
                    else { $null }
                }
            }
            if ($null -ne $value) { $property.SetValue($object, $value) }
        }
        $object
    }

    # Real objects of every type this file knows how to make, from cmdlets run against real servers.
    $Source = Start-TestMemcached
    $Target = Start-TestMemcached
    $Folder = New-TestFolder -Name 'memcacheops-views'
    Add-TestItems -Server $Source.Server -Count 500 -Prefix 'view:' -ValueSize 200 -Flags 3
    $Real = @{}
    function Add-Real($Objects) { foreach ($object in $Objects) { $name = $object.GetType().FullName; $Real[$name] = @($Real[$name]) + $object | Where-Object { $_ } } }
    Add-Real (Get-MemcacheStats -Server $Source.Server, $Target.Server -ErrorAction Stop)
    Add-Real (Get-MemcacheStats -Server $Source.Server -Interval 0.2 -Count 1 -ErrorAction Stop)
    foreach ($group in 'Slabs', 'Items', 'Settings', 'Conns') { Add-Real (Get-MemcacheStats -Server $Source.Server -Group $group -ErrorAction Stop) }
    Add-Real (Get-MemcacheKeys -Server $Source.Server -ErrorAction Stop | Select-Object -First 5)
    Add-Real (Get-MemcacheKeys -Server $Source.Server -CountOnly -ErrorAction Stop)
    Add-Real (Export-MemcacheData -Server $Source.Server -Path (Join-Path $Folder 'a-long-folder-name' 'dump-of-the-source') -ErrorAction Stop)
    Add-Real (Import-MemcacheData -Path (Join-Path $Folder 'a-long-folder-name' 'dump-of-the-source') -Server $Target.Server -ErrorAction Stop)
    Set-TestItem -Server $Target.Server -Items @{ 'view:1' = 'changed'; 'view:extra' = 'only here' } -Flags 9
    Add-Real (Compare-MemcacheData -Reference $Source.Server -Difference $Target.Server -ErrorAction Stop)
    Add-Real (Compare-MemcacheData -Reference $Source.Server -Difference $Target.Server -Summary -ErrorAction Stop)
    Add-Real (Move-MemcacheNode -Source $Source.Server -Destination $Target.Server -Continuous -Deadline 0.5 -PassInterval 0.1 -Confirm:$false -ErrorAction Stop)
}

AfterAll {
    Stop-TestMemcached $Source
    Stop-TestMemcached $Target
    if ($Folder) { Remove-Item -Path $Folder -Recurse -Force -ErrorAction SilentlyContinue }
    Remove-Module -Name MemcacheOps -Force -ErrorAction SilentlyContinue
}

Describe 'Default table view of <TypeName> (<Cmdlets>)' -ForEach $OutputTypes {
    It 'exists, with 4 to 6 columns' {
        $view = Get-TableView $TypeName
        $view | Should -Not -BeNullOrEmpty -Because "module/MemcacheOps.Format.ps1xml should have a table view for $TypeName"
        $view.Headers.Count | Should -BeGreaterOrEqual 4
        $view.Headers.Count | Should -BeLessOrEqual 6
    }

    It 'adds up to at most 79 columns, leaving 16 or more to its one unsized column' {
        $view = Get-TableView $TypeName
        $sized = @($view.Headers | Where-Object Width -GT 0)
        $unsized = @($view.Headers | Where-Object Width -LE 0)
        $unsized.Count | Should -BeLessOrEqual 1 -Because 'only one column may take what is left'
        $used = ($sized | Measure-Object -Property Width -Sum).Sum + $view.Headers.Count - 1
        $left = if ($unsized.Count) { 16 } else { 0 }
        ($used + $left) | Should -BeLessOrEqual 79 -Because "the widths of $TypeName ($(($view.Headers | ForEach-Object { "$($_.Label) $($_.Width)" }) -join ', ')) must fit an 80-column console"
    }

    It 'keeps every header at 80 columns with wide values in every property' {
        Test-Rendering -Objects @((New-WideObject $TypeName), (New-WideObject $TypeName)) -TypeName $TypeName
    }
}

Describe 'Real output of <TypeName> at 80 columns' -ForEach $RealOutputTypes {
    It 'keeps every header and one line per object' {
        $Real.ContainsKey($TypeName) | Should -BeTrue -Because "the setup should have produced a $TypeName"
        Test-Rendering -Objects $Real[$TypeName] -TypeName $TypeName
    }
}

Describe 'Views in a console' {
    It 'shows HitRatio and Memory of Get-MemcacheStats in the default view at 80 columns' {
        $text = Get-MemcacheStats -Server $Source.Server | Out-String -Width 80
        $text | Should -Match 'HitRatio'
        $text | Should -Match '\d+(\.\d)? KiB / 64 MiB'
    }

    It 'shows the end of an export''s path, where dumps differ' {
        $result = $Real['MemcacheOps.Engine.Export.ExportResult'] | Select-Object -First 1
        $text = $result | Out-String -Width 80
        $text | Should -Match ([regex]::Escape('…' + $result.Path.Substring($result.Path.Length - 15)))
    }

    It 'gives the Key column of a listing what the other columns leave: cut at 80 columns, whole at 120' {
        $key = 'view:' + ('k' * 40)
        Set-TestItem -Server $Target.Server -Items @{ $key = 'v' }
        $listing = Get-MemcacheKeys -Server $Target.Server -Pattern $key
        $narrow = $listing | Out-String -Width 80
        $narrow | Should -Match 'view:k{20,}…'
        $narrow | Should -Not -Match ([regex]::Escape($key))
        $listing | Out-String -Width 120 | Should -Match ([regex]::Escape($key))
    }
}
