using System.Net;
using System.Net.Sockets;

namespace Appliance.Tunnel.RateLimit;

/// <summary>Token buckets per remote IP address (ports ignored), so one source cannot spend another's allowance.</summary>
/// <remarks>
/// A fixed table of <see cref="Slots"/> buckets indexed by a per-process randomised hash of the address: memory is
/// bounded whatever the number of sources, nothing is allocated per packet, and an attacker cannot aim at a victim's
/// slot because the hash seed is secret. Two sources sharing a slot share its allowance (rare, and harmless: the global
/// bucket is the real ceiling).
/// </remarks>
public sealed class SourceLimiter
{
    public const int Slots = 4096;
    private readonly double _ratePerTick;
    private readonly double _burst;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private readonly double[] _tokens = new double[Slots];
    private readonly long[] _stamps = new long[Slots];

    public SourceLimiter(double ratePerSecond, double burst, TimeProvider? time = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ratePerSecond);
        ArgumentOutOfRangeException.ThrowIfLessThan(burst, 1);
        _time = time ?? TimeProvider.System;
        _ratePerTick = ratePerSecond / _time.TimestampFrequency;
        _burst = burst;
        long now = _time.GetTimestamp();
        Array.Fill(_tokens, burst);
        Array.Fill(_stamps, now);
    }

    /// <summary>Takes one token from the bucket of the address in <paramref name="from"/> (a socket address: IP and port).</summary>
    public bool TryTake(SocketAddress from) => TryTakeSlot(SlotOf(from));

    /// <summary>Takes one token from the bucket of <paramref name="address"/>.</summary>
    public bool TryTake(IPAddress address) => TryTakeSlot(SlotOf(address));

    public bool TryTakeSlot(int slot)
    {
        long now = _time.GetTimestamp();
        lock (_lock)
        {
            if (now > _stamps[slot])
            {
                _tokens[slot] = Math.Min(_burst, _tokens[slot] + (now - _stamps[slot]) * _ratePerTick);
                _stamps[slot] = now;
            }
            if (_tokens[slot] < 1)
                return false;
            _tokens[slot] -= 1;
            return true;
        }
    }

    /// <summary>The table slot of the IP address inside a socket address (IPv4 or IPv6; an IPv4-mapped address counts as its IPv4).</summary>
    public static int SlotOf(SocketAddress from)
    {
        var bytes = from.Buffer.Span;
        ReadOnlySpan<byte> ip = from.Family switch
        {
            AddressFamily.InterNetwork when from.Size >= 8 => bytes.Slice(4, 4),
            AddressFamily.InterNetworkV6 when from.Size >= 24 => IsV4Mapped(bytes.Slice(8, 16)) ? bytes.Slice(20, 4) : bytes.Slice(8, 16),
            _ => bytes[..Math.Min(from.Size, bytes.Length)],
        };
        return Hash(ip);
    }

    public static int SlotOf(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6)
            address = address.MapToIPv4();
        Span<byte> ip = stackalloc byte[16];
        address.TryWriteBytes(ip, out int written);
        return Hash(ip[..written]);
    }

    private static bool IsV4Mapped(ReadOnlySpan<byte> v6) =>
        v6[..10].IndexOfAnyExcept((byte)0) < 0 && v6[10] == 0xFF && v6[11] == 0xFF;

    private static int Hash(ReadOnlySpan<byte> ip)
    {
        var hash = new HashCode();
        hash.AddBytes(ip);
        return (int)((uint)hash.ToHashCode() % Slots);
    }
}
