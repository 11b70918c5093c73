using System.Collections.ObjectModel;
using System.Reflection;
using System.Runtime.InteropServices;

namespace MemcacheOps.ModuleBuilder.Metadata;

/// <summary>
/// Reads the cmdlets of a compiled module assembly by metadata only (System.Reflection.MetadataLoadContext):
/// nothing is executed, and the PowerShell reference stub the cmdlets compile against is enough to resolve
/// the attribute types. The same reader drives the help generator and the module contract tests.
/// </summary>
public sealed class CmdletCatalog : IDisposable
{
    private const string Sma = "System.Management.Automation";
    private readonly MetadataLoadContext _context;

    private CmdletCatalog(MetadataLoadContext context, Assembly assembly, IReadOnlyList<CmdletDescriptor> cmdlets)
    {
        _context = context;
        Assembly = assembly;
        Cmdlets = cmdlets;
    }

    /// <summary>The cmdlets assembly, loaded for inspection only (types and attributes, no execution).</summary>
    public Assembly Assembly { get; }

    public IReadOnlyList<CmdletDescriptor> Cmdlets { get; }

    /// <summary>
    /// Opens <paramref name="assemblyPath"/>. <paramref name="references"/> are the assemblies it was compiled
    /// against (reference pack, PowerShell stub); DLLs next to the assembly (the engine) are added and win
    /// over references of the same name.
    /// </summary>
    public static CmdletCatalog Open(string assemblyPath, IEnumerable<string> references)
    {
        var fullPath = System.IO.Path.GetFullPath(assemblyPath);
        var beside = Directory.GetFiles(System.IO.Path.GetDirectoryName(fullPath)!, "*.dll");
        var besideNames = beside.Select(System.IO.Path.GetFileNameWithoutExtension).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var paths = beside.Concat(references.Where(r => !besideNames.Contains(System.IO.Path.GetFileNameWithoutExtension(r)))).ToList();
        // Compiled against a reference pack (System.Runtime holds System.Object) or, failing that, the running runtime.
        var core = paths.Any(p => System.IO.Path.GetFileNameWithoutExtension(p).Equals("System.Runtime", StringComparison.OrdinalIgnoreCase))
            ? "System.Runtime"
            : null;
        if (core is null)
            paths.AddRange(Directory.GetFiles(RuntimeEnvironment.GetRuntimeDirectory(), "*.dll"));
        var context = new MetadataLoadContext(new PathAssemblyResolver(paths), core);
        try
        {
            var assembly = context.LoadFromAssemblyPath(fullPath);
            var cmdlets = assembly.GetTypes()
                .Where(t => t is { IsClass: true, IsAbstract: false, IsPublic: true })
                .Select(ReadCmdlet)
                .OfType<CmdletDescriptor>()
                .OrderBy(c => c.Name, StringComparer.OrdinalIgnoreCase)
                .ToList();
            return new CmdletCatalog(context, assembly, cmdlets);
        }
        catch
        {
            context.Dispose();
            throw;
        }
    }

    /// <summary>Opens the assembly with the compile references listed one per line in <paramref name="referencesFile"/>.</summary>
    public static CmdletCatalog Open(string assemblyPath, string referencesFile)
        => Open(assemblyPath, File.ReadAllLines(referencesFile).Where(l => l.Length > 0));

    /// <summary>A type of the inspected assembly or its references by full name, or null.</summary>
    public Type? FindType(string fullName)
    {
        var type = Assembly.GetType(fullName);
        if (type is not null)
            return type;
        foreach (var reference in Assembly.GetReferencedAssemblies())
        {
            try
            {
                type = _context.LoadFromAssemblyName(reference).GetType(fullName);
            }
            catch (FileNotFoundException)
            {
                continue;
            }
            if (type is not null)
                return type;
        }
        return null;
    }

    public void Dispose() => _context.Dispose();

    private static CmdletDescriptor? ReadCmdlet(Type type)
    {
        var cmdlet = Attributes(type, "CmdletAttribute", inherit: false).FirstOrDefault();
        if (cmdlet is null)
            return null;
        var aliases = Attributes(type, "AliasAttribute", inherit: false).SelectMany(StringArguments).ToList();
        var outputTypes = Attributes(type, "OutputTypeAttribute", inherit: false)
            .SelectMany(a => a.ConstructorArguments)
            .SelectMany(Flatten)
            .Select(v => v switch
            {
                Type t => t.FullName ?? t.Name,
                string s => s,
                _ => v?.ToString() ?? string.Empty,
            })
            .Where(n => n.Length > 0)
            .Distinct(StringComparer.Ordinal)
            .ToList();
        var parameters = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Select(ReadParameter)
            .OfType<ParameterDescriptor>()
            .ToList();
        return new CmdletDescriptor
        {
            Verb = (string)cmdlet.ConstructorArguments[0].Value!,
            Noun = (string)cmdlet.ConstructorArguments[1].Value!,
            TypeFullName = type.FullName!,
            ClassName = type.Name,
            Aliases = aliases,
            SupportsShouldProcess = Named(cmdlet, "SupportsShouldProcess") is true,
            ConfirmImpact = Named(cmdlet, "ConfirmImpact") is int impact ? ConfirmImpactName(impact) : "Medium",
            DefaultParameterSetName = Named(cmdlet, "DefaultParameterSetName") as string,
            OutputTypes = outputTypes,
            Parameters = parameters,
        };
    }

    private static ParameterDescriptor? ReadParameter(PropertyInfo property)
    {
        var bindings = property.GetCustomAttributesData()
            .Where(a => IsSma(a, "ParameterAttribute"))
            .Select(a => new ParameterSetBinding
            {
                Name = Named(a, "ParameterSetName") as string ?? ParameterSetBinding.AllSets,
                Mandatory = Named(a, "Mandatory") is true,
                Position = Named(a, "Position") is int position && position >= 0 ? position : null,
                ValueFromPipeline = Named(a, "ValueFromPipeline") is true,
                ValueFromPipelineByPropertyName = Named(a, "ValueFromPipelineByPropertyName") is true,
                ValueFromRemainingArguments = Named(a, "ValueFromRemainingArguments") is true,
                DontShow = Named(a, "DontShow") is true,
            })
            .ToList();
        if (bindings.Count == 0)
            return null;
        var type = property.PropertyType;
        var shown = Unwrap(type);
        return new ParameterDescriptor
        {
            Name = property.Name,
            TypeFullName = type.FullName ?? type.Name,
            TypeDisplayName = DisplayName(type),
            EnumValues = shown.IsEnum ? shown.GetFields(BindingFlags.Public | BindingFlags.Static).Select(f => f.Name).ToList() : [],
            DeclaringTypeFullName = property.DeclaringType!.FullName!,
            Aliases = property.GetCustomAttributesData().Where(a => IsSma(a, "AliasAttribute")).SelectMany(StringArguments).ToList(),
            Sets = bindings,
            IsSwitch = type.FullName == Sma + ".SwitchParameter",
            SupportsWildcards = property.GetCustomAttributesData().Any(a => IsSma(a, "SupportsWildcardsAttribute")),
        };
    }

    /// <summary>Nullable&lt;T&gt; and T[] show as their element type for enum lookups.</summary>
    private static Type Unwrap(Type type)
    {
        if (type.IsArray)
            return Unwrap(type.GetElementType()!);
        if (type.IsGenericType && type.GetGenericTypeDefinition().FullName == "System.Nullable`1")
            return type.GetGenericArguments()[0];
        return type;
    }

    private static string DisplayName(Type type)
    {
        if (type.IsArray)
            return DisplayName(type.GetElementType()!) + "[]";
        if (type.IsGenericType && type.GetGenericTypeDefinition().FullName == "System.Nullable`1")
            return DisplayName(type.GetGenericArguments()[0]);
        return type.Name;
    }

    private static IEnumerable<CustomAttributeData> Attributes(Type type, string name, bool inherit)
    {
        for (var t = type; t is not null; t = inherit ? t.BaseType : null)
        {
            foreach (var a in t.GetCustomAttributesData())
            {
                if (IsSma(a, name))
                    yield return a;
            }
        }
    }

    private static bool IsSma(CustomAttributeData a, string name)
        => a.AttributeType.Name == name && a.AttributeType.Namespace == Sma;

    private static object? Named(CustomAttributeData a, string name)
    {
        foreach (var argument in a.NamedArguments)
        {
            if (argument.MemberName == name)
                return argument.TypedValue.Value;
        }
        return null;
    }

    private static IEnumerable<string> StringArguments(CustomAttributeData a)
        => a.ConstructorArguments.SelectMany(Flatten).OfType<string>();

    private static IEnumerable<object?> Flatten(CustomAttributeTypedArgument argument)
        => argument.Value is ReadOnlyCollection<CustomAttributeTypedArgument> items ? items.Select(i => i.Value) : [argument.Value];

    private static string ConfirmImpactName(int value) => value switch
    {
        0 => "None",
        1 => "Low",
        2 => "Medium",
        3 => "High",
        _ => value.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
