using System.Runtime.CompilerServices;
using Appliance.Tunnel.Frames;

namespace Appliance.Tunnel.Counters;

/// <summary>Counters of one port in one direction: frames, bytes, size classes, EtherTypes, PPPoE and PPP messages, drops by reason.</summary>
/// <remarks>
/// Writers never take a lock and never allocate after warm-up: each write claims one of a few stripes with a
/// single compare-and-swap (a stripe busy with another writer is skipped), bumps plain fields, and releases it.
/// A stripe's sequence number is odd while a writer holds it, so <see cref="Snapshot"/> copies each stripe
/// only when no write is half done: every frame is in a snapshot whole or not at all (a seqlock per stripe).
/// </remarks>
public sealed class DirectionCounters
{
    private readonly Stripe[] _stripes;
    private readonly int _mask;

    public DirectionCounters()
    {
        int count = 2;
        while (count < Environment.ProcessorCount * 2)
            count <<= 1;
        _stripes = new Stripe[count];
        for (int i = 0; i < count; i++)
            _stripes[i] = new Stripe();
        _mask = count - 1;
    }

    /// <summary>Counts a frame that was received or delivered, with everything its classification says.</summary>
    public void Record(in FrameClass frame)
    {
        var stripe = Claim();
        long[] v = stripe.Values!;
        v[CounterLayout.Frames]++;
        v[CounterLayout.Bytes] += frame.Length;
        v[CounterLayout.SizeBase + (int)frame.SizeClass]++;
        v[CounterLayout.FamilyBase + (int)frame.Family]++;
        if (frame.VlanCount != 0)
            v[CounterLayout.VlanTaggedFrames]++;
        if (frame.Status != FrameStatus.Complete)
            v[CounterLayout.StatusBase + (int)frame.Status]++;
        if (frame.PppoeCode != PppoeDiscoveryCode.None)
            v[CounterLayout.PppoeCodeBase + (int)frame.PppoeCode]++;
        if (frame.PppProtocol != PppProtocol.None)
        {
            v[CounterLayout.PppProtocolBase + (int)frame.PppProtocol]++;
            int row = CounterLayout.ControlRow(frame.PppProtocol);
            if (row >= 0 && frame.HasPppControl)
                v[CounterLayout.ControlBase + row * PppControlCodes.Count + PppControlCodes.Bucket(frame.PppCode)]++;
        }
        Release(stripe);
    }

    /// <summary>Counts a frame (or packet) that was not delivered, by reason.</summary>
    public void RecordDrop(DropReason reason, int length)
    {
        var stripe = Claim();
        long[] v = stripe.Values!;
        v[CounterLayout.DropBase + (int)reason]++;
        v[CounterLayout.DroppedBytes] += length;
        Release(stripe);
    }

    /// <summary>A consistent copy of every counter: no frame is half counted.</summary>
    public DirectionSnapshot Snapshot()
    {
        var total = new long[CounterLayout.Length];
        var copy = new long[CounterLayout.Length];
        foreach (var stripe in _stripes)
        {
            var spin = new SpinWait();
            while (true)
            {
                long before = Volatile.Read(ref stripe.Sequence);
                long[]? values = Volatile.Read(ref stripe.Values);
                if ((before & 1) == 0)
                {
                    if (values is null)
                        break;
                    Array.Copy(values, copy, copy.Length);
                    Interlocked.MemoryBarrier();
                    if (Volatile.Read(ref stripe.Sequence) == before)
                    {
                        for (int i = 0; i < total.Length; i++)
                            total[i] += copy[i];
                        break;
                    }
                }
                spin.SpinOnce();
            }
        }
        return new DirectionSnapshot(total);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Stripe Claim()
    {
        int start = Thread.GetCurrentProcessorId();
        var spin = new SpinWait();
        while (true)
        {
            for (int i = 0; i <= _mask; i++)
            {
                var stripe = _stripes[(start + i) & _mask];
                long sequence = Volatile.Read(ref stripe.Sequence);
                if ((sequence & 1) == 0 && Interlocked.CompareExchange(ref stripe.Sequence, sequence + 1, sequence) == sequence)
                {
                    // Allocated once, by its first writer, so an idle port costs no counter memory.
                    stripe.Values ??= new long[CounterLayout.Length];
                    return stripe;
                }
            }
            spin.SpinOnce();
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Release(Stripe stripe) => Volatile.Write(ref stripe.Sequence, stripe.Sequence + 1);

    private sealed class Stripe
    {
        public long Sequence;
        public long[]? Values;
    }
}
