using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;

namespace Consultation.Web.Infrastructure.Security;

/// <summary>
/// Data Protection that remembers, for a few minutes, what the sign-in cookie and the antiforgery tokens decrypt to.
/// Every signed-in POST decrypts three of them (the cookie, the antiforgery cookie and the form's token), and an
/// autosaving respondent sends the same three every few seconds: a decryption derives its keys and checks its MAC
/// afresh each time, which measured about a tenth of the server's CPU per autosave (issue 6, bench/RESULTS.md).
/// <para>
/// Only an exact ciphertext already decrypted once under the same purposes is answered from memory: anything else —
/// a tampered or foreign token — goes to Data Protection and fails there as before (failures are not remembered).
/// What is remembered is the plaintext the real decryption produced, so every check made on it (ticket expiry,
/// security stamp, token pairing) still runs on each request. A key revoked in the key ring stops working for
/// remembered ciphertexts after <see cref="Lifetime"/> at the latest. Protecting is never cached.
/// </para>
/// </summary>
public sealed class RememberingDataProtectionProvider(IDataProtectionProvider inner, TimeProvider? clock = null) : IDataProtectionProvider
{
    /// <summary>The purposes whose decryptions are remembered: the cookie authentication handler's and antiforgery's.</summary>
    public static readonly IReadOnlySet<string> RememberedPurposes = new HashSet<string>(StringComparer.Ordinal)
    {
        "Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationMiddleware",
        "Microsoft.AspNetCore.Antiforgery.AntiforgeryToken.v1",
    };

    /// <summary>How long a decryption is remembered after it was made (not renewed by use).</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(5);

    /// <summary>At most this many remembered decryptions (a few per signed-in user; each well under 2 KB): when full, all are forgotten.</summary>
    public const int Capacity = 10_000;

    private readonly ConcurrentDictionary<Key, Remembered> remembered = new();

    private sealed record Remembered(byte[] Plaintext, long ExpiresAt);
    private long hits;
    private long misses;

    /// <summary>Decryptions answered from memory / made by Data Protection, since start (for tests and diagnostics).</summary>
    public (long Hits, long Misses) Counts => (Interlocked.Read(ref hits), Interlocked.Read(ref misses));

    public IDataProtector CreateProtector(string purpose) =>
        new Protector(this, inner.CreateProtector(purpose), purpose, RememberedPurposes.Contains(purpose));

    private byte[] Unprotect(IDataProtector protector, string purposes, byte[] protectedData)
    {
        var key = new Key(purposes, protectedData);
        var now = (clock ?? TimeProvider.System).GetUtcNow().ToUnixTimeMilliseconds();
        if (remembered.TryGetValue(key, out var known))
        {
            if (known.ExpiresAt > now)
            {
                Interlocked.Increment(ref hits);
                return (byte[])known.Plaintext.Clone();
            }
            remembered.TryRemove(key, out _);
        }
        // Throws on a tampered, foreign or revoked ciphertext: nothing is remembered then.
        var fresh = protector.Unprotect(protectedData);
        Interlocked.Increment(ref misses);
        if (remembered.Count >= Capacity) remembered.Clear();
        remembered[key.Owned()] = new Remembered((byte[])fresh.Clone(), now + (long)Lifetime.TotalMilliseconds);
        return fresh;
    }

    private sealed class Protector(RememberingDataProtectionProvider owner, IDataProtector inner, string purposes, bool remember) : IDataProtector
    {
        public IDataProtector CreateProtector(string purpose) =>
            new Protector(owner, inner.CreateProtector(purpose), purposes + "\n" + purpose, remember);

        public byte[] Protect(byte[] plaintext) => inner.Protect(plaintext);

        public byte[] Unprotect(byte[] protectedData) =>
            remember ? owner.Unprotect(inner, purposes, protectedData) : inner.Unprotect(protectedData);
    }

    /// <summary>The purposes and the exact ciphertext bytes; the hash is the runtime's per-process randomized one.</summary>
    private sealed class Key : IEquatable<Key>
    {
        private readonly string purposes;
        private readonly byte[] data;
        private readonly int hash;

        public Key(string purposes, byte[] data)
        {
            this.purposes = purposes;
            this.data = data;
            var h = new HashCode();
            h.Add(purposes, StringComparer.Ordinal);
            h.AddBytes(data);
            hash = h.ToHashCode();
        }

        private Key(string purposes, byte[] data, int hash) => (this.purposes, this.data, this.hash) = (purposes, data, hash);

        /// <summary>This key over its own copy of the bytes, to be kept (the caller's array may be reused).</summary>
        public Key Owned() => new(purposes, (byte[])data.Clone(), hash);

        public bool Equals(Key? other) => other is not null && other.hash == hash
            && string.Equals(other.purposes, purposes, StringComparison.Ordinal)
            && CryptographicOperations.FixedTimeEquals(other.data, data);

        public override bool Equals(object? obj) => Equals(obj as Key);

        public override int GetHashCode() => hash;
    }
}

public static class RememberingDataProtectionExtensions
{
    /// <summary>
    /// Wraps the registered <see cref="IDataProtectionProvider"/> (call after <c>AddDataProtection</c>) in
    /// <see cref="RememberingDataProtectionProvider"/>; the wrapper itself is also resolvable.
    /// </summary>
    public static IServiceCollection AddRememberedUnprotect(this IServiceCollection services)
    {
        var original = services.LastOrDefault(d => d.ServiceType == typeof(IDataProtectionProvider))
            ?? throw new InvalidOperationException("AddDataProtection must be called before AddRememberedUnprotect.");
        services.Remove(original);
        services.AddSingleton(sp => new RememberingDataProtectionProvider(Create(sp, original), sp.GetService<TimeProvider>()));
        services.AddSingleton<IDataProtectionProvider>(sp => sp.GetRequiredService<RememberingDataProtectionProvider>());
        return services;
    }

    private static IDataProtectionProvider Create(IServiceProvider sp, ServiceDescriptor d) => (IDataProtectionProvider)(
        d.ImplementationInstance
        ?? d.ImplementationFactory?.Invoke(sp)
        ?? ActivatorUtilities.CreateInstance(sp, d.ImplementationType
            ?? throw new InvalidOperationException("The registered IDataProtectionProvider cannot be wrapped.")));
}
