using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using MemcacheOps.Engine;
using MemcacheOps.Engine.Cloud;

namespace MemcacheOps.Adapters.Cloud;

/// <summary>
/// <see cref="IChunkStore"/> over AWSSDK.S3. Uploads stream from the file (multipart above the threshold, with
/// parallel parts, aborted on failure); downloads stream to a temporary file renamed into place. SDK errors
/// become <see cref="MemcacheException"/>s with stable ids and no secrets.
/// </summary>
public sealed class S3ChunkStore : IChunkStore
{
    private const string MetadataPrefix = "x-amz-meta-";
    private const string ContentType = "application/octet-stream";

    private readonly AmazonS3Client _client;
    private readonly S3TransferSettings _settings;
    private readonly AwsIdentity _identity;
    private readonly string _endpointDescription;
    private readonly bool _useChunkEncoding;

    public S3ChunkStore(CloudOptions options, S3TransferSettings? settings = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _settings = settings ?? new S3TransferSettings();
        _settings.Check();
        _identity = AwsIdentity.Resolve(options);

        var config = new AmazonS3Config
        {
            ForcePathStyle = options.EffectiveForcePathStyle,
            MaxErrorRetry = _settings.MaxRetries,
            Timeout = _settings.RequestTimeout,
            // Checksums only where S3 demands them: S3-compatible services do not all understand the
            // trailing-checksum uploads the SDK sends by default. Chunks carry their own SHA-256 instead.
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };
        if (options.EndpointUrl is not null)
        {
            config.ServiceURL = CheckEndpoint(options.EndpointUrl);
            config.AuthenticationRegion = _identity.Region.SystemName;
            _endpointDescription = $"the S3 endpoint {config.ServiceURL}";
            // The SDK signs upload bodies chunk by chunk ("aws-chunked") by default, which S3-compatible services
            // and emulators do not all decode (some store the framing as data). Against such an endpoint the
            // body is sent whole with its SHA-256 signed instead.
            _useChunkEncoding = false;
        }
        else
        {
            config.RegionEndpoint = _identity.Region;
            _endpointDescription = $"S3 in {_identity.Region.SystemName}";
            _useChunkEncoding = true;
        }
        _client = new AmazonS3Client(_identity.Credentials, config);
    }

    public async Task<ChunkUploadResult> UploadFileAsync(string localPath, ObjectLocation target,
        IReadOnlyDictionary<string, string> metadata, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(metadata);
        var file = new FileInfo(localPath);
        if (!file.Exists)
            throw new MemcacheException(MemcacheErrorKind.InvalidArgument, "ChunkFileNotFound",
                $"Cannot upload '{file.FullName}' to {target}: the file does not exist.", file.FullName);
        foreach (var (name, value) in metadata)
        {
            if (!IsAsciiHeaderText(name) || !IsAsciiHeaderText(value))
                throw new MemcacheException(MemcacheErrorKind.InvalidArgument, "S3MetadataInvalid",
                    $"Metadata entry '{MessageText.Show(name)}' for {target} must be printable ASCII (S3 sends metadata as HTTP headers).", target.ToString());
        }

        try
        {
            if (file.Length < _settings.MultipartThreshold)
                return new ChunkUploadResult(target, file.Length, await PutAsync(file, target, metadata, progress, cancellationToken).ConfigureAwait(false), 1);
            var partCount = (int)((file.Length + _settings.PartSize - 1) / _settings.PartSize);
            var etag = await PutInPartsAsync(file, partCount, target, metadata, progress, cancellationToken).ConfigureAwait(false);
            return new ChunkUploadResult(target, file.Length, etag, partCount);
        }
        catch (Exception ex) when (IsTranslatable(ex, cancellationToken))
        {
            throw Translate(ex, $"upload of '{file.FullName}' to {target}", target);
        }
    }

    private async Task<string?> PutAsync(FileInfo file, ObjectLocation target, IReadOnlyDictionary<string, string> metadata,
        IProgress<long>? progress, CancellationToken cancellationToken)
    {
        var request = new PutObjectRequest
        {
            BucketName = target.Bucket,
            Key = target.Key,
            FilePath = file.FullName,
            ContentType = ContentType,
            UseChunkEncoding = _useChunkEncoding,
        };
        foreach (var (name, value) in metadata)
            request.Metadata.Add(name, value);
        if (progress is not null)
            request.StreamTransferProgress += (_, e) => progress.Report(e.TransferredBytes);
        var response = await _client.PutObjectAsync(request, cancellationToken).ConfigureAwait(false);
        progress?.Report(file.Length);
        return response.ETag;
    }

    /// <summary>
    /// Multipart upload: each part is read straight from its range of the file, a few at a time, each retried
    /// by the SDK on its own. Any failure or cancellation aborts the upload so no orphaned parts stay billed.
    /// </summary>
    private async Task<string?> PutInPartsAsync(FileInfo file, int partCount, ObjectLocation target,
        IReadOnlyDictionary<string, string> metadata, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        var initiate = new InitiateMultipartUploadRequest { BucketName = target.Bucket, Key = target.Key, ContentType = ContentType };
        foreach (var (name, value) in metadata)
            initiate.Metadata.Add(name, value);
        var uploadId = (await _client.InitiateMultipartUploadAsync(initiate, cancellationToken).ConfigureAwait(false)).UploadId;
        try
        {
            var etags = new PartETag[partCount];
            long sent = 0;
            await Parallel.ForAsync(0, partCount, new ParallelOptions
            {
                MaxDegreeOfParallelism = _settings.ConcurrentParts,
                CancellationToken = cancellationToken,
            }, async (index, token) =>
            {
                var offset = index * _settings.PartSize;
                var part = new UploadPartRequest
                {
                    BucketName = target.Bucket,
                    Key = target.Key,
                    UploadId = uploadId,
                    PartNumber = index + 1,
                    FilePath = file.FullName,
                    FilePosition = offset,
                    PartSize = Math.Min(_settings.PartSize, file.Length - offset),
                    IsLastPart = index == partCount - 1,
                    UseChunkEncoding = _useChunkEncoding,
                };
                if (progress is not null)
                    part.StreamTransferProgress += (_, e) => progress.Report(Interlocked.Add(ref sent, e.IncrementTransferred));
                var response = await _client.UploadPartAsync(part, token).ConfigureAwait(false);
                etags[index] = new PartETag(index + 1, response.ETag);
            }).ConfigureAwait(false);

            var complete = new CompleteMultipartUploadRequest { BucketName = target.Bucket, Key = target.Key, UploadId = uploadId };
            complete.AddPartETags(etags);
            return (await _client.CompleteMultipartUploadAsync(complete, cancellationToken).ConfigureAwait(false)).ETag;
        }
        catch
        {
            await AbortQuietlyAsync(target, uploadId).ConfigureAwait(false);
            throw;
        }
    }

    private async Task AbortQuietlyAsync(ObjectLocation target, string uploadId)
    {
        // Best effort with its own short deadline: the caller's token may be the reason we are here.
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await _client.AbortMultipartUploadAsync(new AbortMultipartUploadRequest
            {
                BucketName = target.Bucket,
                Key = target.Key,
                UploadId = uploadId,
            }, deadline.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is AmazonServiceException or HttpRequestException or OperationCanceledException)
        {
            // The original failure is what the caller needs to see; a bucket lifecycle rule removes what is left.
        }
    }

    public async Task<StoredObject> DownloadFileAsync(ObjectLocation source, string localPath, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        var target = Path.GetFullPath(localPath);
        var folder = Path.GetDirectoryName(target)!;
        Directory.CreateDirectory(folder);
        var partial = Path.Combine(folder, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}.partial");
        try
        {
            using var response = await _client.GetObjectAsync(source.Bucket, source.Key, cancellationToken).ConfigureAwait(false);
            long written;
            await using (var output = new FileStream(partial, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
            {
                await response.ResponseStream.CopyToAsync(output, 1 << 16, cancellationToken).ConfigureAwait(false);
                written = output.Length;
            }
            if (response.ContentLength >= 0 && written != response.ContentLength)
                throw new MemcacheException(MemcacheErrorKind.InvalidData, "S3DownloadIncomplete",
                    $"The download of {source} stopped after {written} of {response.ContentLength} bytes. Try again.", source.ToString());
            File.Move(partial, target, overwrite: true);
            return new StoredObject(source, written, ToOffset(response.LastModified), response.ETag);
        }
        catch (Exception ex) when (IsTranslatable(ex, cancellationToken))
        {
            throw Translate(ex, $"download of {source} to '{target}'", source);
        }
        finally
        {
            File.Delete(partial);
        }
    }

    public async IAsyncEnumerable<StoredObject> ListAsync(string bucket, string prefix,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var problem = ObjectLocation.ProblemWithBucket(bucket);
        if (problem is not null)
            throw new MemcacheException(MemcacheErrorKind.InvalidArgument, "S3BucketInvalid", $"Cannot list '{MessageText.Show(bucket)}': {problem}.", bucket);
        var request = new ListObjectsV2Request { BucketName = bucket, Prefix = prefix, MaxKeys = _settings.ListPageSize };
        // A listing that never ends (a service that keeps returning a token) is a fault, not a big bucket.
        const int MaxPages = 1_000_000;
        for (var page = 0; page < MaxPages; page++)
        {
            ListObjectsV2Response response;
            try
            {
                response = await _client.ListObjectsV2Async(request, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (IsTranslatable(ex, cancellationToken))
            {
                throw Translate(ex, $"listing of s3://{bucket}/{prefix}", null, bucket);
            }
            foreach (var item in response.S3Objects ?? [])
                yield return new StoredObject(new ObjectLocation(bucket, item.Key), item.Size ?? 0, ToOffset(item.LastModified), item.ETag);
            if (response.IsTruncated != true || string.IsNullOrEmpty(response.NextContinuationToken))
                yield break;
            request.ContinuationToken = response.NextContinuationToken;
        }
        throw new MemcacheException(MemcacheErrorKind.ProtocolError, "S3RequestFailed",
            $"The listing of s3://{bucket}/{prefix} did not end after {MaxPages} pages; {_endpointDescription} keeps returning continuation tokens.", bucket);
    }

    public async Task<StoredObjectDetails?> GetDetailsAsync(ObjectLocation location, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(location);
        GetObjectMetadataResponse response;
        try
        {
            response = await _client.GetObjectMetadataAsync(location.Bucket, location.Key, cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound && ex.ErrorCode is null or "NotFound" or "NoSuchKey")
        {
            // A HEAD reply has no body, so a missing object and a missing bucket look alike; a missing bucket
            // shows up as soon as anything else is done with it.
            return null;
        }
        catch (Exception ex) when (IsTranslatable(ex, cancellationToken))
        {
            throw Translate(ex, $"reading the metadata of {location}", location);
        }

        var metadata = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var name in response.Metadata.Keys)
        {
            var shortName = name.StartsWith(MetadataPrefix, StringComparison.OrdinalIgnoreCase) ? name[MetadataPrefix.Length..] : name;
            metadata[shortName.ToLowerInvariant()] = response.Metadata[name];
        }
        return new StoredObjectDetails(location, response.ContentLength, ToOffset(response.LastModified), response.ETag, metadata);
    }

    public void Dispose()
    {
        _client.Dispose();
    }

    private static bool IsAsciiHeaderText(string text) => text.All(c => c is >= ' ' and <= '~');

    private static DateTimeOffset? ToOffset(DateTime? time) => time is { } t ? new DateTimeOffset(t.ToUniversalTime(), TimeSpan.Zero) : null;

    internal static string CheckEndpoint(string endpointUrl)
    {
        if (!Uri.TryCreate(endpointUrl, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            throw new MemcacheException(MemcacheErrorKind.InvalidArgument, "CloudEndpointInvalid",
                $"'{MessageText.Show(endpointUrl, 120)}' is not an http:// or https:// URL. Give the service's URL with -EndpointUrl.", endpointUrl);
        return uri.GetLeftPart(UriPartial.Path).TrimEnd('/');
    }

    /// <summary>Cancellation by the caller passes through untouched; everything else becomes a MemcacheException.</summary>
    private static bool IsTranslatable(Exception ex, CancellationToken cancellationToken)
        => ex is not MemcacheException && !(ex is OperationCanceledException && cancellationToken.IsCancellationRequested);

    private MemcacheException Translate(Exception ex, string operation, ObjectLocation? location, string? bucket = null)
    {
        bucket ??= location?.Bucket;
        var target = location?.ToString() ?? (bucket is null ? null : $"s3://{bucket}");
        var inner = _identity.Scrubber.SafeInner(ex);
        if (ex is AmazonS3Exception s3)
        {
            var detail = _identity.Scrubber.Scrub(s3.Message);
            switch (s3.ErrorCode)
            {
                case "NoSuchBucket":
                    return new MemcacheException(MemcacheErrorKind.ResourceUnavailable, "S3BucketNotFound",
                        $"The {operation} failed: the bucket '{bucket}' does not exist at {_endpointDescription}. Check the bucket name and region.", target, inner);
                case "NoSuchKey":
                    return new MemcacheException(MemcacheErrorKind.ResourceUnavailable, "S3ObjectNotFound",
                        $"The {operation} failed: the object does not exist. It may have been deleted or never uploaded.", target, inner);
                case "InvalidAccessKeyId" or "SignatureDoesNotMatch" or "ExpiredToken" or "InvalidToken" or "TokenRefreshRequired"
                    or "InvalidClientTokenId" or "UnrecognizedClientException":
                    return new MemcacheException(MemcacheErrorKind.AccessDenied, "AwsCredentialsInvalid",
                        $"The {operation} failed: {_endpointDescription} refused the credentials from {_identity.CredentialSource} ({s3.ErrorCode}: {detail}). Check the access key and secret key, or refresh the session token.", target, inner);
                case "AccessDenied" or "AllAccessDisabled" or "AccountProblem":
                    return new MemcacheException(MemcacheErrorKind.AccessDenied, "AwsAccessDenied",
                        $"The {operation} failed: {_endpointDescription} denied access to the credentials from {_identity.CredentialSource} ({detail}). Grant them the S3 permission for this bucket.", target, inner);
            }
            if (s3.StatusCode == HttpStatusCode.NotFound && location is not null)
                return new MemcacheException(MemcacheErrorKind.ResourceUnavailable, "S3ObjectNotFound",
                    $"The {operation} failed: the object or its bucket does not exist at {_endpointDescription}.", target, inner);
            return new MemcacheException(MemcacheErrorKind.ServerError, "S3RequestFailed",
                $"The {operation} failed: {_endpointDescription} answered {(int)s3.StatusCode} {s3.ErrorCode} ({detail}).", target, inner);
        }
        if (IsNetworkFailure(ex))
            return new MemcacheException(MemcacheErrorKind.ConnectionFailed, "CloudEndpointUnreachable",
                $"The {operation} failed: {_endpointDescription} could not be reached ({_identity.Scrubber.Scrub(Innermost(ex).Message)}). Check the endpoint URL, the network and any proxy.", target, inner);
        if (ex is AmazonClientException client)
            return new MemcacheException(MemcacheErrorKind.AccessDenied, "AwsCredentialsNotFound",
                $"The {operation} failed before reaching S3: {_identity.Scrubber.Scrub(client.Message)}", target, inner);
        return new MemcacheException(MemcacheErrorKind.ServerError, "S3RequestFailed",
            $"The {operation} failed: {_identity.Scrubber.Scrub(ex.Message)}", target, inner);
    }

    internal static bool IsNetworkFailure(Exception ex)
    {
        for (var e = ex; e is not null; e = e.InnerException)
        {
            if (e is HttpRequestException or SocketException or TimeoutException || e is OperationCanceledException && e is not MemcacheException)
                return true;
        }
        return false;
    }

    internal static Exception Innermost(Exception ex)
    {
        while (ex.InnerException is not null)
            ex = ex.InnerException;
        return ex;
    }
}
