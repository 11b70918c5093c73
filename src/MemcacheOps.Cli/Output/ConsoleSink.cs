using System.Text.Json;
using System.Text.Json.Serialization;
using MemcacheOps.Engine;
using MemcacheOps.Engine.Diagnostics;

namespace MemcacheOps.Cli.Output;

/// <summary>
/// Prints engine output: results on stdout (text via a formatter, or JSON lines), errors and warnings
/// on stderr, and a progress line on stderr when it is a terminal.
/// </summary>
public sealed class ConsoleSink : IOperationSink
{
    public static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter() },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private readonly object _gate = new();
    private readonly bool _json;
    private readonly Action<object, TextWriter> _format;
    private readonly bool _showProgress;
    private readonly TextWriter _out;
    private readonly TextWriter _err;
    private bool _progressShown;

    public ConsoleSink(Commands.CliConsole console, bool json, Action<object, TextWriter> format, bool quiet)
    {
        _json = json;
        _format = format;
        _out = console.Out;
        _err = console.Error;
        _showProgress = !quiet && console.ShowProgress;
    }

    public int ErrorCount { get; private set; }

    public int ResultCount { get; private set; }

    public ValueTask EmitAsync(object result, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            ClearProgress();
            ResultCount++;
            if (_json)
                _out.WriteLine(JsonSerializer.Serialize(result, result.GetType(), JsonOptions));
            else
                _format(result, _out);
        }
        return ValueTask.CompletedTask;
    }

    public void Error(MemcacheException error)
    {
        lock (_gate)
        {
            ClearProgress();
            ErrorCount++;
            _err.WriteLine($"error: {CliWording.ForCli(error.Message)} [{error.ErrorId}]");
        }
    }

    public void Warning(string message)
    {
        lock (_gate)
        {
            ClearProgress();
            _err.WriteLine($"warning: {CliWording.ForCli(message)}");
        }
    }

    public void Verbose(string message)
    {
        if (Environment.GetEnvironmentVariable("MEMCACHEOPS_VERBOSE") is not ("1" or "true"))
            return;
        lock (_gate)
        {
            ClearProgress();
            _err.WriteLine($"verbose: {CliWording.ForCli(message)}");
        }
    }

    public void Progress(ProgressSnapshot snapshot)
    {
        if (!_showProgress)
            return;
        lock (_gate)
        {
            var width = LineWidth();
            _err.Write("\r" + Formatting.ProgressLine(snapshot, width).PadRight(width));
            _progressShown = !snapshot.Completed;
            if (snapshot.Completed)
                _err.WriteLine();
        }
    }

    private void ClearProgress()
    {
        if (!_progressShown)
            return;
        _err.Write("\r" + new string(' ', LineWidth()) + "\r");
        _progressShown = false;
    }

    /// <summary>Columns the progress line may use: one less than the terminal's, so the cursor never wraps.</summary>
    private static int LineWidth()
    {
        int columns;
        try
        {
            columns = Console.WindowWidth;
        }
        catch (IOException)
        {
            columns = 0;
        }
        return Math.Min(columns > 1 ? columns - 1 : 100, 160);
    }
}
