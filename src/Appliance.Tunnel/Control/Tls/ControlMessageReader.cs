using System.Buffers.Binary;
using System.Text;

namespace Appliance.Tunnel.Control.Tls;

/// <summary>Cuts the plaintext TLS byte stream into control messages by their own framing, never by read boundaries.</summary>
/// <remarks>
/// Not thread-safe: one reader per TLS session. Bounded: holds at most the capacity given (a message longer than that
/// is <see cref="ControlParseStatus.TooLong"/>). Two framings exist after the handshake:
/// the client's key-method-2 message (§4.1: <c>0u32, method, 48+32+32 random bytes, then four u16-length strings</c>;
/// a pull client always sends the fourth, peer-info), and NUL-terminated text commands (<c>PUSH_REQUEST\0</c>, <c>EXIT\0</c>),
/// several of which may share a record.
/// </remarks>
public sealed class ControlMessageReader
{
    /// <summary>Zero word, key-method byte, pre_master(48), random1(32), random2(32).</summary>
    public const int KeyMethod2FixedLength = 4 + 1 + 48 + 32 + 32;

    /// <summary>Options, username, password, peer-info.</summary>
    public const int KeyMethod2ClientStrings = 4;

    private readonly byte[] _buffer;
    private readonly int _maxTextLength;
    private int _start;
    private int _end;

    public ControlMessageReader(int capacity = 8192, int maxTextLength = 2048)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, KeyMethod2FixedLength + 2 * KeyMethod2ClientStrings);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxTextLength, 1);
        _buffer = new byte[capacity];
        _maxTextLength = Math.Min(maxTextLength, capacity);
    }

    /// <summary>Bytes read but not yet taken as a message.</summary>
    public int Buffered => _end - _start;

    /// <summary>Room to read into (compacting first); empty when the buffer is full.</summary>
    public Memory<byte> GetReadBuffer()
    {
        if (_start > 0)
        {
            _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
            _end -= _start;
            _start = 0;
        }
        return _buffer.AsMemory(_end);
    }

    /// <summary>Records that <paramref name="count"/> bytes were read into <see cref="GetReadBuffer"/>.</summary>
    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, _buffer.Length - _end);
        _end += count;
    }

    /// <summary>Copies bytes in (for tests and callers that do not read in place); false if they do not fit.</summary>
    public bool Append(ReadOnlySpan<byte> bytes)
    {
        var room = GetReadBuffer();
        if (bytes.Length > room.Length)
            return false;
        bytes.CopyTo(room.Span);
        _end += bytes.Length;
        return true;
    }

    /// <summary>Takes the client's key-method-2 message (all of it, for the key-method-2 parser) once its last string has arrived.</summary>
    public ControlParseStatus TryTakeKeyMethod2(out ReadOnlyMemory<byte> message)
    {
        message = default;
        ReadOnlySpan<byte> data = _buffer.AsSpan(_start, _end - _start);
        if (data.Length < 5)
            return ControlParseStatus.NeedMore;
        if (BinaryPrimitives.ReadUInt32BigEndian(data) != 0 || (data[4] & 0x0F) != 2)
            return ControlParseStatus.Malformed;
        int length = KeyMethod2FixedLength;
        for (int i = 0; i < KeyMethod2ClientStrings; i++)
        {
            if (length + 2 > _buffer.Length)
                return ControlParseStatus.TooLong;
            if (data.Length < length + 2)
                return ControlParseStatus.NeedMore;
            length += 2 + BinaryPrimitives.ReadUInt16BigEndian(data[length..]);
        }
        if (length > _buffer.Length)
            return ControlParseStatus.TooLong;
        if (data.Length < length)
            return ControlParseStatus.NeedMore;
        message = data[..length].ToArray();
        _start += length;
        return ControlParseStatus.Complete;
    }

    /// <summary>Takes the next non-empty NUL-terminated text command (without its NUL).</summary>
    public ControlParseStatus TryTakeText(out string text)
    {
        text = "";
        while (true)
        {
            ReadOnlySpan<byte> data = _buffer.AsSpan(_start, _end - _start);
            int nul = data.IndexOf((byte)0);
            if (nul < 0)
                return data.Length >= _maxTextLength ? ControlParseStatus.TooLong : ControlParseStatus.NeedMore;
            if (nul >= _maxTextLength)
                return ControlParseStatus.TooLong;
            _start += nul + 1;
            if (nul == 0)
                continue;
            text = Encoding.UTF8.GetString(data[..nul]);
            return ControlParseStatus.Complete;
        }
    }
}
