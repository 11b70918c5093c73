using System.Management.Automation;
using MemcacheOps.Engine;

namespace MemcacheOps.Cmdlets.Infrastructure;

/// <summary>Turns engine errors into ErrorRecords with the engine's stable id, a fitting category and the target.</summary>
internal static class ErrorRecords
{
    public static ErrorRecord From(MemcacheException error) => new(error, error.ErrorId, Category(error.Kind), error.Target);

    public static ErrorRecord From(Exception error, string errorId, ErrorCategory category, object? target) => new(error, errorId, category, target);

    public static ErrorCategory Category(MemcacheErrorKind kind) => kind switch
    {
        MemcacheErrorKind.InvalidArgument => ErrorCategory.InvalidArgument,
        MemcacheErrorKind.ConnectionFailed => ErrorCategory.ConnectionError,
        MemcacheErrorKind.Timeout => ErrorCategory.OperationTimeout,
        MemcacheErrorKind.NotMemcached => ErrorCategory.ProtocolError,
        MemcacheErrorKind.ProtocolError => ErrorCategory.ProtocolError,
        MemcacheErrorKind.ServerError => ErrorCategory.InvalidResult,
        MemcacheErrorKind.Unsupported => ErrorCategory.NotEnabled,
        MemcacheErrorKind.Busy => ErrorCategory.ResourceBusy,
        MemcacheErrorKind.InvalidData => ErrorCategory.InvalidData,
        MemcacheErrorKind.WriteFailed => ErrorCategory.WriteError,
        MemcacheErrorKind.ResourceUnavailable => ErrorCategory.ResourceUnavailable,
        MemcacheErrorKind.AccessDenied => ErrorCategory.PermissionDenied,
        MemcacheErrorKind.CertificateInvalid => ErrorCategory.SecurityError,
        _ => ErrorCategory.NotSpecified,
    };
}
