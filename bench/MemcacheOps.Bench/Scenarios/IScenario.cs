namespace MemcacheOps.Bench.Scenarios;

/// <summary>
/// One benchmark: a named piece of work over the loaded reference data set. The harness runs every
/// scenario in a child process of its own, so wall time, CPU and peak memory are the scenario's alone.
/// Add a scenario with one class implementing this and one line in <see cref="ScenarioCatalog"/>.
/// </summary>
internal interface IScenario
{
    /// <summary>Name used on the command line and in reports, kebab-case (e.g. "raw-get", "keys").</summary>
    string Name { get; }

    /// <summary>One line: what is measured, what "items" and "bytes" count.</summary>
    string Description { get; }

    /// <summary>
    /// Scenarios this one is compared with when they ran in the same invocation: the harness prints this
    /// scenario's items/s divided by theirs (e.g. "keys" declares "raw-metadump").
    /// </summary>
    IReadOnlyList<string> ComparesWith { get; }

    /// <summary>
    /// Does the work and measures it with a <see cref="Harness.ResourceMeter"/> started after any untimed
    /// preparation. Must leave <see cref="ScenarioContext.Source"/> as it found it; scenarios that write
    /// use servers from <see cref="ScenarioContext.StartServer"/>.
    /// </summary>
    Task<ScenarioResult> RunAsync(ScenarioContext context, CancellationToken cancellationToken);

    /// <summary>True when the scenario talks TLS to the source (<see cref="ScenarioContext.TlsSource"/>): the harness then starts the source with TLS.</summary>
    bool UsesTls => false;
}
