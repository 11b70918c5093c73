namespace MemcacheOps.Engine.Connections;

/// <summary>
/// A user and password for memcached's text-protocol authentication (<c>memcached -Y</c>). The password is
/// never part of any text this type produces (<see cref="ToString"/> shows the user only), so options
/// printed for diagnostics or recorded in a manifest cannot leak it.
/// </summary>
public sealed class MemcacheCredential : IEquatable<MemcacheCredential>
{
    public MemcacheCredential(string userName, string password)
    {
        ArgumentNullException.ThrowIfNull(userName);
        ArgumentNullException.ThrowIfNull(password);
        if (userName.Length == 0)
            throw Invalid("The user name is empty. Give the user of a 'user:password' line of the server's -Y file.");
        // memcached reads "<user> <password>" from the auth command's data block: the user ends at the first space.
        if (userName.IndexOfAny([' ', '\r', '\n', '\t', ':']) >= 0)
            throw Invalid("The user name contains a space, a tab, a line break or ':', which memcached's -Y authentication cannot carry.");
        if (password.Length == 0)
            throw Invalid($"The password of user '{userName}' is empty.");
        if (password.IndexOfAny(['\r', '\n']) >= 0)
            throw Invalid($"The password of user '{userName}' contains a line break, which memcached's -Y file cannot hold.");
        UserName = userName;
        Password = password;
    }

    public string UserName { get; }

    /// <summary>The password; sent to the server only, never shown.</summary>
    public string Password { get; }

    public override string ToString() => UserName;

    public bool Equals(MemcacheCredential? other)
        => other is not null && UserName == other.UserName && Password == other.Password;

    public override bool Equals(object? obj) => Equals(obj as MemcacheCredential);

    public override int GetHashCode() => UserName.GetHashCode(StringComparison.Ordinal);

    private static MemcacheException Invalid(string message)
        => new(MemcacheErrorKind.InvalidArgument, "MemcacheCredentialInvalid", message);
}
