using System.Collections.Concurrent;
using System.Net;
using System.Text;

namespace MemcacheOps.Tests.Cloud;

/// <summary>
/// An HTTP server on 127.0.0.1 that answers every request with what a test scripts, and records what it got.
/// Used for the service behaviour the emulators do not have (refused signatures, denied access, throttling).
/// </summary>
internal sealed class FakeHttpServer : IDisposable
{
    private readonly HttpListener _listener;
    private readonly Func<ReceivedRequest, FakeResponse> _respond;
    private readonly Task _loop;

    public FakeHttpServer(Func<ReceivedRequest, FakeResponse> respond)
    {
        _respond = respond;
        // A few tries: the free port found can be taken by someone else before the listener binds it.
        // A listener whose Start failed is closed for good, so each try gets a new one.
        for (var attempt = 1; ; attempt++)
        {
            var port = S3ChunkStoreTests.ClosedPort();
            _listener = new HttpListener();
            _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            try
            {
                _listener.Start();
                Url = $"http://127.0.0.1:{port}";
                break;
            }
            catch (HttpListenerException) when (attempt < 5)
            {
            }
        }
        _loop = Task.Run(ServeAsync);
    }

    public string Url { get; } = string.Empty;

    public ConcurrentQueue<ReceivedRequest> Requests { get; } = new();

    public void Dispose()
    {
        // Close alone, not Stop then Close: on Linux each of them unregisters the prefixes, and the
        // second finds the port's socket gone and binds the port again to look it up, which fails
        // with "Address already in use" once another test has taken the port.
        _listener.Close();
        _loop.Wait(TimeSpan.FromSeconds(5));
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body);
            var headers = context.Request.Headers.AllKeys.Where(k => k is not null)
                .ToDictionary(k => k!, k => context.Request.Headers[k]!, StringComparer.OrdinalIgnoreCase);
            var received = new ReceivedRequest(context.Request.HttpMethod, context.Request.RawUrl ?? "/", headers, body.ToArray());
            Requests.Enqueue(received);
            var response = _respond(received);
            context.Response.StatusCode = response.Status;
            foreach (var (name, value) in response.Headers)
                context.Response.Headers[name] = value;
            var bytes = Encoding.UTF8.GetBytes(response.Body);
            context.Response.ContentLength64 = bytes.Length;
            await context.Response.OutputStream.WriteAsync(bytes);
            context.Response.Close();
        }
    }
}

internal sealed record ReceivedRequest(string Method, string RawUrl, IReadOnlyDictionary<string, string> Headers, byte[] Body);

internal sealed record FakeResponse(int Status, string Body, IReadOnlyDictionary<string, string> Headers)
{
    public static FakeResponse Json(int status, string body) => new(status, body, new Dictionary<string, string> { ["Content-Type"] = "application/x-amz-json-1.0" });

    public static FakeResponse Xml(int status, string body) => new(status, body, new Dictionary<string, string> { ["Content-Type"] = "application/xml" });
}
