namespace Appliance.Tunnel.Sessions;

/// <summary>A session's key states by key-id (0..7): the one data is sent with, a lame duck that still decrypts, and at
/// most one negotiation besides them.</summary>
/// <remarks>
/// The receive thread reads a slot without a lock (a volatile read of an array element); every change takes the lock.
/// A key state replaced or dropped is disposed in the background (its loop ends, its data keys are freed later).
/// </remarks>
internal sealed class SessionKeySlots
{
    private readonly KeyState?[] _keys = new KeyState?[8];
    private readonly Lock _lock = new();
    private volatile KeyState? _send;

    /// <summary>The newest active key: data to the client is encrypted with it.</summary>
    public KeyState? Send => _send;

    /// <summary>The key state of <paramref name="keyId"/>, or null.</summary>
    public KeyState? this[int keyId] => Volatile.Read(ref _keys[keyId]);

    /// <summary>Installs key-id 0 of a new session.</summary>
    public void SetFirst(KeyState key)
    {
        lock (_lock)
            _keys[0] = key;
    }

    /// <summary>The live key state of <paramref name="keyId"/>, or a new one from <paramref name="create"/> when no
    /// other negotiation runs; null when one does (at most one negotiation besides the keys in use).</summary>
    public KeyState? GetOrBegin(int keyId, Func<KeyState> create, out bool created)
    {
        created = false;
        lock (_lock)
        {
            var existing = _keys[keyId];
            if (existing is not null && existing.Phase != KeyPhase.Closed)
                return existing;
            for (int i = 0; i < _keys.Length; i++)
            {
                if (_keys[i] is { Phase: KeyPhase.Negotiating } && i != keyId)
                    return null;
            }
            var key = create();
            _keys[keyId] = key;
            if (existing is not null)
                _ = existing.DisposeAsync().AsTask();
            created = true;
            return key;
        }
    }

    /// <summary>Makes <paramref name="key"/> the key data is sent with; the previous one retires at <paramref name="retireAt"/>
    /// and anything older goes now. Returns the previous key, if any.</summary>
    public KeyState? Activate(KeyState key, long retireAt)
    {
        lock (_lock)
        {
            var previous = _send;
            _send = key;
            previous?.Retire(retireAt);
            for (int i = 0; i < _keys.Length; i++)
            {
                var k = _keys[i];
                if (k is not null && k != key && k != previous && k.Phase != KeyPhase.Negotiating)
                {
                    _keys[i] = null;
                    _ = k.DisposeAsync().AsTask();
                }
            }
            return previous;
        }
    }

    /// <summary>Drops retiring keys whose transition window ended.</summary>
    public void RetireDue(long now)
    {
        lock (_lock)
        {
            for (int i = 0; i < _keys.Length; i++)
            {
                if (_keys[i] is { Phase: KeyPhase.Retiring } k && now >= k.RetireAt)
                {
                    _keys[i] = null;
                    _ = k.DisposeAsync().AsTask();
                }
            }
        }
    }

    /// <summary>Empties every slot and returns what was there, for the session's close.</summary>
    public KeyState?[] TakeAll()
    {
        lock (_lock)
        {
            var keys = (KeyState?[])_keys.Clone();
            Array.Clear(_keys);
            _send = null;
            return keys;
        }
    }

    /// <summary>Turns of the control loops of the keys held now (tests: an idle session must not spin).</summary>
    public long Turns
    {
        get
        {
            long turns = 0;
            lock (_lock)
            {
                foreach (var key in _keys)
                    turns += key?.Turns ?? 0;
            }
            return turns;
        }
    }
}
